/**
 * The query string of each page: every filter, sort, page cursor and column choice lives there, so a URL is a view
 * that can be shared and reloaded. Parsed strictly (a malformed value is a 400 naming the parameter), written back
 * by `hrefWith`.
 */

import {
  APPLICATION_SORTS,
  type ApplicationFilter,
  type ApplicationSort,
  FINDING_SORTS,
  type FindingCursor,
  type FindingFilter,
  type FindingSort,
} from "@qualys-connector/store";

/** A query parameter that cannot be read; the page answers 400 with this message. */
export class QueryError extends Error {
  constructor(
    readonly parameter: string,
    reason: string,
  ) {
    super(`query parameter ${parameter}: ${reason}`);
    this.name = "QueryError";
  }
}

/** Rows per page of a list. */
export const PAGE_SIZE = 50;

function text(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name)?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function integer(params: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const value = text(params, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value) || Number(value) < min || Number(value) > max)
    throw new QueryError(name, `expected a whole number from ${min} to ${max}`);
  return Number(value);
}

function date(params: URLSearchParams, name: string): string | undefined {
  const value = text(params, name);
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/.test(value))
    throw new QueryError(name, "expected a date YYYY-MM-DD");
  return value;
}

function oneOf<T extends string>(
  params: URLSearchParams,
  name: string,
  values: readonly T[],
  fallback: T,
): T {
  const value = text(params, name);
  if (value === undefined) return fallback;
  if (!(values as readonly string[]).includes(value))
    throw new QueryError(name, `expected one of ${values.join(", ")}`);
  return value as T;
}

/** A page cursor travels as base64url JSON of the last row's sort values. */
export function encodeCursor(cursor: FindingCursor): string {
  return Buffer.from(JSON.stringify(cursor), "utf8").toString("base64url");
}

function cursor(params: URLSearchParams, name: string): FindingCursor | undefined {
  const value = text(params, name);
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    throw new QueryError(name, "not a page cursor of this dashboard");
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length === 0 ||
    parsed.length > 8 ||
    !parsed.every((v) => typeof v === "string" || (typeof v === "number" && Number.isFinite(v)))
  )
    throw new QueryError(name, "not a page cursor of this dashboard");
  return parsed as unknown as FindingCursor;
}

/** The columns the findings list can show, in order, with their headings. */
export const FINDING_COLUMNS = {
  webApp: "Web app",
  qid: "QID",
  title: "Title",
  severity: "Severity",
  status: "Status",
  type: "Type",
  url: "URL",
  param: "Parameter",
  firstDetected: "First detected",
  lastDetected: "Last detected",
  timesDetected: "Times detected",
  authenticated: "Authentication",
  cwe: "CWE",
  owasp: "OWASP",
  wasc: "WASC",
  source: "Source",
  ignored: "Ignored",
} as const;
export type FindingColumn = keyof typeof FINDING_COLUMNS;
const ALL_COLUMNS = Object.keys(FINDING_COLUMNS) as FindingColumn[];
export const DEFAULT_COLUMNS: readonly FindingColumn[] = [
  "webApp",
  "qid",
  "title",
  "severity",
  "status",
  "type",
  "url",
  "param",
  "lastDetected",
  "authenticated",
  "cwe",
  "owasp",
];

export interface FindingsView {
  filter: FindingFilter;
  sort: FindingSort;
  direction: "asc" | "desc";
  after: FindingCursor | undefined;
  columns: FindingColumn[];
}

/** The findings list's view from its query string. */
export function findingsView(params: URLSearchParams): FindingsView {
  const columnsText = text(params, "cols");
  let columns = [...DEFAULT_COLUMNS];
  if (columnsText !== undefined) {
    const asked = columnsText.split(",").filter((c) => c !== "");
    const unknown = asked.filter((c) => !(ALL_COLUMNS as string[]).includes(c));
    if (unknown.length > 0 || asked.length === 0)
      throw new QueryError("cols", `expected columns from ${ALL_COLUMNS.join(", ")}`);
    columns = asked as FindingColumn[];
  }
  const ignored = text(params, "ignored");
  if (ignored !== undefined && ignored !== "1" && ignored !== "0")
    throw new QueryError("ignored", "expected 1 or 0");
  return {
    filter: {
      subscriptionId: integer(params, "sub", 1, Number.MAX_SAFE_INTEGER),
      webAppId: integer(params, "app", 0, Number.MAX_SAFE_INTEGER),
      severity: integer(params, "sev", 1, 5),
      severityLabel: text(params, "label"),
      status: text(params, "status"),
      type: text(params, "type"),
      qid: integer(params, "qid", 0, Number.MAX_SAFE_INTEGER),
      cwe: text(params, "cwe"),
      owasp: text(params, "owasp"),
      text: text(params, "q"),
      firstDetectedFrom: date(params, "first_from"),
      firstDetectedTo: date(params, "first_to"),
      lastDetectedFrom: date(params, "last_from"),
      lastDetectedTo: date(params, "last_to"),
      source: text(params, "source"),
      includeIgnored: ignored === "1",
    },
    sort: oneOf(params, "sort", FINDING_SORTS, "severity"),
    direction: oneOf(params, "dir", ["desc", "asc"] as const, "desc"),
    after: cursor(params, "after"),
    columns,
  };
}

export interface ApplicationsView {
  filter: ApplicationFilter;
  sort: ApplicationSort;
  direction: "asc" | "desc";
  after: FindingCursor | undefined;
}

/** Days before now as an ISO time, for "last scan older/newer than N days". */
function daysAgo(days: number, now: number): string {
  return new Date(now - days * 86_400_000).toISOString();
}

/** The applications list's view from its query string. */
export function applicationsView(params: URLSearchParams, now: number): ApplicationsView {
  const newer = integer(params, "scanned_within", 0, 36_500);
  const older = integer(params, "scanned_over", 0, 36_500);
  return {
    filter: {
      subscriptionId: integer(params, "sub", 1, Number.MAX_SAFE_INTEGER),
      name: text(params, "name"),
      label: text(params, "label"),
      severityPresent: integer(params, "sev", 1, 5),
      scannedSince: newer === undefined ? undefined : daysAgo(newer, now),
      scannedBefore: older === undefined ? undefined : daysAgo(older, now),
    },
    sort: oneOf(params, "sort", APPLICATION_SORTS, "name"),
    direction: oneOf(params, "dir", ["asc", "desc"] as const, "asc"),
    after: cursor(params, "after"),
  };
}

/** `path` with the current parameters changed: `undefined` removes one. A change of filter drops the cursor. */
export function hrefWith(
  path: string,
  params: URLSearchParams,
  changes: Record<string, string | undefined>,
): string {
  const next = new URLSearchParams(params);
  if (!("after" in changes)) next.delete("after");
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined || value === "") next.delete(name);
    else next.set(name, value);
  }
  const query = next.toString();
  return query === "" ? path : `${path}?${query}`;
}
