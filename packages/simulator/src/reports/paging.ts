/**
 * QPS search paging for reports (qualys-api.md 3.5): `limitResults` (default 100, 1 to 1,000) with either
 * `startFromOffset` (1-based) or an `id GREATER <lastId>` criterion, which the caller's filter handles.
 */
import type { ServiceRequest } from "../wire/service-request.js";

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface PageRequest {
  limit: number;
  /** 1-based position of the first record. */
  offset: number;
  /** `startFromId`: only records with an id at or above it (QSDK auth-record searches). */
  startFromId: number | null;
}

export interface Page<T> {
  items: T[];
  hasMore: boolean;
  /** Id of the last record, only when there are more (real J1 pagination recording). */
  lastId: number | undefined;
}

export class PagingError extends Error {
  readonly resolution: string;
  constructor(message: string, resolution: string) {
    super(message);
    this.name = "PagingError";
    this.resolution = resolution;
  }
}

function positiveInt(raw: string | undefined, name: string, max: number | null): number | null {
  if (raw === undefined || raw.trim() === "") return null;
  const text = raw.trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || (max !== null && Number(text) > max)) {
    throw new PagingError(
      `Invalid value for preference '${name}' (${text}).`,
      max === null ? "Specify a positive integer." : `Specify an integer from 1 to ${max}.`,
    );
  }
  return Number(text);
}

/** Read the paging preferences. Throws PagingError for values the API refuses. */
export function readPaging(preferences: ServiceRequest["preferences"]): PageRequest {
  return {
    limit: positiveInt(preferences.limitResults, "limitResults", MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE,
    offset: positiveInt(preferences.startFromOffset, "startFromOffset", null) ?? 1,
    startFromId: positiveInt(preferences.startFromId, "startFromId", null),
  };
}

/** Cut one page out of records already filtered and in id order. */
export function pageOf<T extends { id: number }>(records: readonly T[], paging: PageRequest): Page<T> {
  const eligible =
    paging.startFromId === null ? records : records.filter((r) => r.id >= (paging.startFromId ?? 0));
  const start = paging.offset - 1;
  const items = eligible.slice(start, start + paging.limit);
  const hasMore = start + paging.limit < eligible.length;
  const last = items[items.length - 1];
  return { items, hasMore, lastId: hasMore && last ? last.id : undefined };
}
