/**
 * Faults on demand: what a real subscription, its load balancers and proxies do on a bad day.
 * Faults that replace the answer are decided before the handler runs, so they never change the simulator's
 * state; `truncate` and `slow` wrap a real answer (the call did happen, as it would on a real server).
 */
import { FAULT_KINDS, type FaultKind } from "../options.js";
import { Random } from "../random.js";

export interface FaultSettings {
  rate: number;
  kinds: readonly FaultKind[];
}

/** How long a `slow` fault delays the answer. */
export const SLOW_FAULT_MS = 2500;

export class FaultInjector {
  private readonly random: Random;

  constructor(
    private settings: FaultSettings,
    seed: number,
  ) {
    this.random = new Random(seed ^ 0x5eed_fa17);
  }

  get current(): FaultSettings {
    return this.settings;
  }

  update(settings: FaultSettings): void {
    this.settings = settings;
  }

  /** The fault to inject into this call, if any. */
  draw(): FaultKind | null {
    const { rate, kinds } = this.settings;
    if (rate <= 0 || kinds.length === 0) return null;
    return this.random.chance(rate) ? this.random.pick(kinds) : null;
  }
}

/** Validate a `/__sim/faults` body. Returns the settings or a list of problems. */
export function parseFaultSettings(body: unknown): FaultSettings | { problems: string[] } {
  const problems: string[] = [];
  if (!body || typeof body !== "object")
    return { problems: ['body must be a JSON object like {"rate": 0.2, "kinds": ["500"]}'] };
  const rec = body as Record<string, unknown>;
  const rate = rec.rate;
  if (typeof rate !== "number" || !(rate >= 0 && rate <= 1))
    problems.push("rate must be a number between 0 and 1");
  let kinds: FaultKind[] = [...FAULT_KINDS];
  if (rec.kinds !== undefined) {
    if (!Array.isArray(rec.kinds)) {
      problems.push("kinds must be an array of fault kinds");
    } else {
      kinds = [];
      for (const k of rec.kinds) {
        if (typeof k === "string" && (FAULT_KINDS as readonly string[]).includes(k))
          kinds.push(k as FaultKind);
        else problems.push(`unknown fault kind ${JSON.stringify(k)} (known: ${FAULT_KINDS.join(", ")})`);
      }
    }
  }
  if (problems.length > 0) return { problems };
  return { rate: rate as number, kinds };
}

/** A load balancer's error page. */
export function gatewayErrorPage(status: number): string {
  const text =
    status === 500 ? "Internal Server Error" : status === 502 ? "Bad Gateway" : "Service Unavailable";
  return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

/** A maintenance page served with HTTP 200, which a client must not take for data. */
export const MAINTENANCE_PAGE =
  "<!DOCTYPE html><html><head><title>Qualys - Scheduled Maintenance</title></head><body><h1>We'll be back soon</h1>" +
  "<p>The Qualys Cloud Platform is undergoing scheduled maintenance. Please try again later.</p></body></html>";

/** A body that starts like the real answer and breaks off mid-element (complete HTTP message, invalid document). */
export function malformedBody(contentType: string): string {
  if (contentType.includes("json"))
    return '{"ServiceResponse":{"responseCode":"SUCCESS","count":3,"data":[{"WebApp":{"id":';
  return '<?xml version="1.0" encoding="UTF-8"?>\n<ServiceResponse><responseCode>SUCCESS</responseCode><count>3</count><data><WebApp><id>12</id><name><![CDATA[Broken';
}
