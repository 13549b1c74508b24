/**
 * QPS searches and counts over records in id order (docs/qualys-api.md 3.5): Criteria, `startFromId`, then
 * the `startFromOffset` page of `limitResults` (default 100, 1 to 1,000). Paging values the API refuses raise
 * CriteriaError, answered as INVALID_REQUEST like a bad criterion.
 */
import { CriteriaError, compileCriteria, type FieldSpecs } from "./filters.js";
import type { QNode, ServiceResponseBody } from "./qps.js";
import type { ServiceRequest } from "./service-request.js";

export interface PageRequest {
  limit: number;
  offset: number;
  startFromId: number | undefined;
  verbose: boolean;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

export function readPaging(sr: ServiceRequest): PageRequest {
  const { limitResults, startFromOffset, startFromId, verbose } = sr.preferences;
  const limit = limitResults === undefined ? DEFAULT_LIMIT : Number(limitResults);
  // docs/qualys-api.md 3.5: page size 1 to 1,000.
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new CriteriaError(
      `Preferences: Invalid value for limitResults (${limitResults}).`,
      `Specify a value from 1 to ${MAX_LIMIT}.`,
    );
  }
  const offset = startFromOffset === undefined ? 1 : Number(startFromOffset);
  if (!Number.isInteger(offset) || offset < 1) {
    throw new CriteriaError(
      `Preferences: Invalid value for startFromOffset (${startFromOffset}).`,
      "Specify a positive integer; offsets start at 1.",
    );
  }
  let fromId: number | undefined;
  if (startFromId !== undefined) {
    fromId = Number(startFromId);
    if (!Number.isInteger(fromId) || fromId < 0) {
      throw new CriteriaError(
        `Preferences: Invalid value for startFromId (${startFromId}).`,
        "Specify the id as Long.",
      );
    }
  }
  return { limit, offset, startFromId: fromId, verbose: verbose === "true" };
}

/**
 * Search over records in id order: criteria, then `startFromId`, then the offset page. `count` is the number of
 * records in this page; `lastId` appears only when `hasMoreRecords` is true (real J1 pagination recording).
 * An empty result has only `count` 0 (real iterateWebAppsFilteredNotFound recording).
 */
export function search<T extends { id: number }>(
  records: Iterable<T>,
  sr: ServiceRequest,
  specs: FieldSpecs<T>,
  element: string,
  render: (record: T, verbose: boolean) => QNode,
): ServiceResponseBody {
  const paging = readPaging(sr);
  const matches = compileCriteria(sr.criteria, specs);
  const start = paging.offset - 1;
  const page: T[] = [];
  let seen = 0;
  let more = false;
  for (const record of records) {
    if (paging.startFromId !== undefined && record.id < paging.startFromId) continue;
    if (!matches(record)) continue;
    if (seen++ < start) continue;
    if (page.length === paging.limit) {
      more = true;
      break;
    }
    page.push(record);
  }
  if (page.length === 0) return { responseCode: "SUCCESS", count: 0 };
  const last = page[page.length - 1];
  return {
    responseCode: "SUCCESS",
    count: page.length,
    hasMoreRecords: more,
    ...(more && last ? { lastId: last.id } : {}),
    data: page.map((r) => [element, render(r, paging.verbose)] as const),
  };
}

/** Count records matching the criteria (count calls: `count` is the total, no data). */
export function count<T>(
  records: Iterable<T>,
  sr: ServiceRequest,
  specs: FieldSpecs<T>,
): ServiceResponseBody {
  const matches = compileCriteria(sr.criteria, specs);
  let n = 0;
  for (const record of records) if (matches(record)) n++;
  return { responseCode: "SUCCESS", count: n };
}
