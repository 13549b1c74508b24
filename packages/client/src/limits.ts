/**
 * The client's limits and defaults, in one place: the CLI's settings, the sync and the Airbyte source read them
 * from here rather than writing the numbers again.
 */

/** Records per page of a search. Qualys accepts 1 to 1000 per request (docs/qualys-api.md 3.5). */
export const PAGE_SIZE = { min: 1, max: 1000, default: 100 } as const;

/**
 * Calls in flight at once when the caller gives no number; Qualys' default concurrency limit is 2
 * (docs/qualys-api.md 5.4).
 */
export const DEFAULT_CONCURRENCY = 2;

/** Total deadline of one request (headers and body) when the caller gives none. */
export const DEFAULT_TIMEOUT_MS = 120_000;
