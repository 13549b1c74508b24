/** WAS findings: search, count, get by id or uniqueId (docs/qualys-api.md 3.9). */
import type { Route } from "../http/types.js";
import type { SimFinding } from "../model.js";
import type { FieldSpecs } from "../wire/filters.js";
import { type QNode, qbase64, qcdata, qlist, qset } from "../wire/qps.js";
import type { SimWorld } from "../world.js";
import { answer, notFound, objectRoutes, QpsProblem, qpsHandler } from "./qps-handler.js";

const FINDING_TYPES = ["VULNERABILITY", "SENSITIVE_CONTENT", "INFORMATION_GATHERED"] as const;
const STATUSES = ["NEW", "ACTIVE", "REOPENED", "PROTECTED", "FIXED"] as const;
const IGNORED_REASONS = ["FALSE_POSITIVE", "RISK_ACCEPTED", "NOT_APPLICABLE"] as const;
const GROUPS = ["XSS", "SQL", "INFO", "PATH", "CC", "SSN_US", "CUSTOM"] as const;

/** Filterable fields, per QSDK's FILTER_MAPPING for findings (docs/qualys-api.md 3.9). */
export function findingSpecs(world: SimWorld): FieldSpecs<SimFinding> {
  const app = (f: SimFinding) => world.webApps.get(f.webAppId);
  return {
    id: { type: "INTEGER", get: (f) => f.id },
    uniqueId: { type: "TEXT", get: (f) => f.uniqueId },
    qid: { type: "INTEGER", get: (f) => f.qid },
    name: { type: "TEXT", get: (f) => f.name },
    type: { type: "KEYWORD", get: (f) => f.type, keywords: FINDING_TYPES },
    url: { type: "TEXT", get: (f) => f.url },
    "webApp.tags.id": { type: "INTEGER", get: (f) => app(f)?.tags.map((t) => t.id) ?? [], allowNone: true },
    "webApp.tags.name": { type: "TEXT", get: (f) => app(f)?.tags.map((t) => t.name) ?? [], allowNone: true },
    status: { type: "KEYWORD", get: (f) => f.status, keywords: STATUSES },
    "webApp.id": { type: "INTEGER", get: (f) => f.webAppId },
    "webApp.name": { type: "TEXT", get: (f) => app(f)?.name },
    severity: { type: "INTEGER", get: (f) => f.severity },
    potential: { type: "BOOLEAN", get: (f) => f.potential },
    isIgnored: { type: "BOOLEAN", get: (f) => f.isIgnored },
    ignoredDate: { type: "DATE", get: (f) => f.ignoredDate },
    ignoredReason: { type: "KEYWORD", get: (f) => f.ignoredReason, keywords: IGNORED_REASONS },
    group: { type: "KEYWORD", get: (f) => f.group, keywords: GROUPS },
    "owasp.name": { type: "TEXT", get: (f) => f.owasp.map((o) => o.name) },
    "owasp.code": { type: "TEXT", get: (f) => f.owasp.map((o) => o.code) },
    "wasc.name": { type: "TEXT", get: (f) => f.wasc.map((o) => o.name) },
    "wasc.code": { type: "TEXT", get: (f) => f.wasc.map((o) => o.code) },
    "cwe.id": { type: "INTEGER", get: (f) => f.cwe },
    firstDetectedDate: { type: "DATE", get: (f) => f.firstDetectedDate },
    lastDetectedDate: { type: "DATE", get: (f) => f.lastDetectedDate },
    lastTestedDate: { type: "DATE", get: (f) => f.lastTestedDate },
    fixedDate: { type: "DATE", get: (f) => f.fixedDate },
    timesDetected: { type: "INTEGER", get: (f) => f.timesDetected },
  };
}

/**
 * A finding on the wire. The non-verbose layout follows the real recording element for element; information
 * gathered has no url, status, timesDetected or isIgnored (J1 steps recording, docs/qualys-api.md 3.9).
 */
export function renderFinding(world: SimWorld, f: SimFinding, verbose: boolean): QNode {
  const app = world.webApps.get(f.webAppId);
  const isIg = f.type === "INFORMATION_GATHERED";
  const record: Record<string, QNode> = {
    id: f.id,
    uniqueId: f.uniqueId,
    qid: f.qid,
    name: qcdata(f.name),
    type: f.type,
    potential: f.potential,
    findingType: f.findingType,
    param: f.param === null || isIg ? undefined : qcdata(f.param),
    severity: f.severity,
    url: isIg || f.url === null ? undefined : qcdata(f.url),
    status: isIg ? undefined : (f.status ?? undefined),
    firstDetectedDate: f.firstDetectedDate,
    lastDetectedDate: f.lastDetectedDate,
    lastTestedDate: f.lastTestedDate,
    timesDetected: isIg ? undefined : f.timesDetected,
    webApp: app
      ? {
          id: app.id,
          name: qcdata(app.name),
          url: qcdata(app.url),
          tags: verbose
            ? qlist(
                "Tag",
                app.tags.map((t) => ({ id: t.id, name: qcdata(t.name) })),
              )
            : undefined,
        }
      : { id: f.webAppId },
    isIgnored: isIg ? undefined : f.isIgnored,
  };
  if (!verbose) return record;
  return {
    ...record,
    detectionScore: f.detectionScore,
    group: f.group,
    fixedDate: f.fixedDate ?? undefined,
    ignoredReason: f.ignoredReason ?? undefined,
    ignoredDate: f.ignoredDate ?? undefined,
    ignoredComment: f.ignoredComment === null ? undefined : qcdata(f.ignoredComment),
    cwe: qlist("long", f.cwe),
    // Real verbose findings give the OWASP and WASC codes as bare numbers (`code: 3` with the URL
    // `https://owasp.org/Top10/A03_2021-Injection/`; `code: 22` for WASC-22): the edition is only in the URL.
    owasp: qlist(
      "OWASP",
      f.owasp.map((o) => ({ name: qcdata(o.name), url: qcdata(o.url), code: bareNumber(o.code) })),
    ),
    wasc: qlist(
      "WASC",
      f.wasc.map((o) => ({ name: qcdata(o.name), url: qcdata(o.url), code: bareNumber(o.code) })),
    ),
    cvssV3: f.cvssV3
      ? { base: f.cvssV3.base, temporal: f.cvssV3.temporal, attackVector: f.cvssV3.attackVector }
      : undefined,
    resultList: qlist(
      "Result",
      f.results.map((r) => ({
        authentication: r.authentication,
        ajax: r.ajax,
        formLocation: r.formLocation === null ? undefined : qcdata(r.formLocation),
        accessPath: qlist(
          "Url",
          r.accessPath.map((u) => qcdata(u)),
        ),
        payloads: qlist(
          "PayloadInstance",
          r.payloads.map((p) => ({
            payload: qcdata(p.payload),
            // QSDK base64-decodes request headers and body (docs/qualys-api.md 3.9).
            request: {
              method: p.request.method,
              link: qcdata(p.request.link),
              headers: qbase64(p.request.headers),
              body: p.request.body ? qbase64(p.request.body) : undefined,
            },
            response: qcdata(p.response),
          })),
        ),
      })),
    ),
    history: qset(
      "WebAppFindingHistory",
      f.scanIds.slice(-5).map((id) => {
        const scan = world.wasScans.get(id);
        return { scanData: { id, reference: scan?.reference, launchedDate: scan?.launchedDate } };
      }),
    ),
    updatedDate: f.updatedDate,
  };
}

const BASE = "/qps/rest/3.0";

export const findingRoutes: Route[] = [
  // search and count as every object; get also takes the uniqueId, so it is written out below.
  ...objectRoutes({
    base: "3.0",
    api: "was",
    object: "finding",
    element: "Finding",
    module: "WAS",
    records: (ctx) => ctx.world.findings.values(),
    byId: (ctx, id) => ctx.world.findings.get(id),
    specs: (ctx) => findingSpecs(ctx.world),
    render: (ctx, f, verbose) => renderFinding(ctx.world, f, verbose),
  }).filter((route) => !route.path.includes("/get/")),
  {
    method: "GET",
    path: `${BASE}/get/was/finding/{id}`,
    family: "qps",
    module: "WAS",
    // docs/qualys-api.md 3.1: get accepts the finding id or its uniqueId.
    handler: qpsHandler("finding", (req, ctx) => {
      const key = req.params.id ?? "";
      let finding: SimFinding | undefined;
      if (/^\d+$/.test(key)) finding = ctx.world.findings.get(Number(key));
      else if (/^[0-9a-f-]{36}$/i.test(key)) {
        for (const f of ctx.world.findings.values()) {
          if (f.uniqueId === key) {
            finding = f;
            break;
          }
        }
      } else {
        throw new QpsProblem(
          "INVALID_REQUEST",
          `Invalid Finding id: ${key}.`,
          "Specify the id as Long or the uniqueId.",
        );
      }
      if (!finding) throw notFound("Finding", key);
      return answer(req, "finding", {
        responseCode: "SUCCESS",
        count: 1,
        data: [["Finding", renderFinding(ctx.world, finding, true)]],
      });
    }),
  },
];

/** `A03` -> 3, `WASC-22` -> 22: the number in a class code, as the findings API writes it. */
function bareNumber(code: string): number | string {
  const digits = /(\d+)$/.exec(code)?.[1];
  return digits === undefined ? code : Number(digits);
}
