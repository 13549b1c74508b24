/**
 * Plumbing of the VM API v2 handlers (docs/qualys-api.md 4.1, 4.2): parameters from the query string and the
 * urlencoded body, SIMPLE_RETURN refusals with the documented codes, and v2 XML documents with their DOCTYPE.
 */
import { formParams } from "../auth-routes.js";
import type { ApiRequest, ApiResponse, Handler, SimContext } from "../http/types.js";
import { renderSimpleReturn, v2Doctype } from "../wire/simple-return.js";
import { type XmlElement, xmlDocument } from "../wire/xml.js";

/** A refused v2 call: HTTP status, SIMPLE_RETURN code and text (docs/qualys-api.md 5.1). */
export class V2Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "V2Problem";
  }
}

export const invalidValue = (name: string, value: string, why: string) =>
  new V2Problem(400, 1905, `parameter ${name} has invalid value: ${value} (${why})`);
export const missing = (names: string) => new V2Problem(400, 1903, `Missing required parameter(s): ${names}`);

export function simpleReturn(
  req: ApiRequest,
  ctx: SimContext,
  text: string,
  items?: { key: string; value: string | number }[],
): ApiResponse {
  return {
    status: 200,
    contentType: "text/xml;charset=UTF-8",
    body: renderSimpleReturn(req.url.origin, ctx.now(), items ? { text, items } : { text }),
  };
}

/** Wrap a v2 handler: problems become SIMPLE_RETURN answers; `action` is dispatched. */
export function v2Actions(
  actions: Record<string, (req: ApiRequest, ctx: SimContext, params: URLSearchParams) => ApiResponse>,
): Handler {
  return (req, ctx) => {
    const params = formParams(req);
    try {
      const action = params.get("action");
      if (!action) throw missing("action");
      const run = actions[action];
      if (!run) throw invalidValue("action", action, `expected one of: ${Object.keys(actions).join(", ")}`);
      return run(req, ctx, params);
    } catch (error) {
      if (error instanceof V2Problem) {
        return {
          status: error.status,
          contentType: "text/xml;charset=UTF-8",
          body: renderSimpleReturn(req.url.origin, ctx.now(), { code: error.code, text: error.message }),
        };
      }
      throw error;
    }
  };
}

/** A v2 XML answer: declaration, DOCTYPE pointing at the DTD on this origin, indented body. */
export function v2Xml(req: ApiRequest, root: XmlElement, dtdPath: string): ApiResponse {
  return {
    status: 200,
    contentType: "application/xml",
    body: xmlDocument(root, { doctype: v2Doctype(root.name, req.url.origin, dtdPath), indent: true }),
  };
}

/** Parse a comma list of ids and ranges (`1,3-5`), as the KB and host APIs accept. */
export function parseIdList(name: string, raw: string): { min: number; max: number }[] {
  return raw.split(",").map((part) => {
    const text = part.trim();
    const range = /^(\d+)-(\d+)$/.exec(text);
    if (range?.[1] && range[2]) return { min: Number(range[1]), max: Number(range[2]) };
    if (/^\d+$/.test(text)) return { min: Number(text), max: Number(text) };
    // Real wording (J1 iterateVulnerabilitiesBadId recording).
    throw invalidValue(name, raw, `neither a positive integer nor a range: ${text}`);
  });
}

export function inRanges(id: number, ranges: readonly { min: number; max: number }[]): boolean {
  return ranges.some((r) => id >= r.min && id <= r.max);
}

/** v2 dates `YYYY-MM-DD[THH:MM:SSZ]` in filters. */
export function parseV2Date(name: string, raw: string): number {
  const value = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$/.test(raw) || Number.isNaN(ms)) {
    throw invalidValue(name, raw, "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
  }
  return ms;
}

/** `0`/`1` booleans. */
export function flag(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  if (value === null || value === "0") return false;
  if (value === "1") return true;
  throw invalidValue(name, value, "expected 0 or 1");
}
