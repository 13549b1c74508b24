/**
 * Fake transports for unit tests. Every request is recorded; a request nobody scripted throws a plain Error
 * (no transport code), which the client never retries or maps, so the test fails at once with its URL.
 */
import type { Clock, HttpRequest, HttpResponse, Transport } from "../src/index.js";

export type Answer = HttpResponse | Error | ((req: HttpRequest) => HttpResponse | Promise<HttpResponse>);

export interface FakeTransport {
  transport: Transport;
  requests: HttpRequest[];
  /** Answers not consumed yet. */
  remaining(): number;
}

/** Each call takes the next answer, in order. */
export function scripted(answers: Answer[]): FakeTransport {
  const queue = [...answers];
  const requests: HttpRequest[] = [];
  const transport: Transport = async (req) => {
    requests.push(req);
    const next = queue.shift();
    if (next === undefined) throw new Error(`unexpected request ${req.method} ${req.url}`);
    if (next instanceof Error) throw next;
    return typeof next === "function" ? next(req) : next;
  };
  return { transport, requests, remaining: () => queue.length };
}

/** Answers chosen by `METHOD path` (path without the query); each route may answer many times. */
export function routed(routes: Record<string, Answer | Answer[]>): FakeTransport {
  const requests: HttpRequest[] = [];
  const queues = new Map(Object.entries(routes).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]));
  const transport: Transport = async (req) => {
    requests.push(req);
    const key = `${req.method} ${new URL(req.url).pathname}`;
    const route = queues.get(key);
    const next = Array.isArray(route) ? route.shift() : route;
    if (next === undefined) throw new Error(`unexpected request ${req.method} ${req.url}`);
    if (next instanceof Error) throw next;
    return typeof next === "function" ? next(req) : next;
  };
  return {
    transport,
    requests,
    remaining: () => [...queues.values()].reduce<number>((n, q) => n + (Array.isArray(q) ? q.length : 0), 0),
  };
}

export const res = (status: number, body: string, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  body,
  headers,
});

/** A clock whose sleeps advance time at once; every sleep is recorded. */
export function fakeClock(start = 1_000_000): { clock: Clock; sleeps: number[]; now: () => number } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    clock: {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
    },
  };
}

/** A ServiceResponse in XML with the given records. */
export function serviceResponse(
  records: string,
  extra: { count?: number; hasMoreRecords?: boolean; lastId?: number; code?: string } = {},
): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><ServiceResponse><responseCode>${extra.code ?? "SUCCESS"}</responseCode>` +
    (extra.count !== undefined ? `<count>${extra.count}</count>` : "") +
    (extra.hasMoreRecords !== undefined ? `<hasMoreRecords>${extra.hasMoreRecords}</hasMoreRecords>` : "") +
    (extra.lastId !== undefined ? `<lastId>${extra.lastId}</lastId>` : "") +
    (records ? `<data>${records}</data>` : "") +
    "</ServiceResponse>"
  );
}

export const simpleReturn = (code: number | undefined, text: string, items: Record<string, string> = {}) =>
  `<?xml version="1.0" encoding="UTF-8" ?><!DOCTYPE SIMPLE_RETURN SYSTEM "https://qualysapi.qualys.com/api/2.0/simple_return.dtd"><SIMPLE_RETURN><RESPONSE><DATETIME>2026-01-01T00:00:00Z</DATETIME>${code === undefined ? "" : `<CODE>${code}</CODE>`}<TEXT>${text}</TEXT>${
    Object.keys(items).length
      ? `<ITEM_LIST>${Object.entries(items)
          .map(([k, v]) => `<ITEM><KEY>${k}</KEY><VALUE>${v}</VALUE></ITEM>`)
          .join("")}</ITEM_LIST>`
      : ""
  }</RESPONSE></SIMPLE_RETURN>`;
