/**
 * Retry decisions, kept apart from the request core so they can be tested as a table: which failures are worth
 * repeating, how long to wait, and how a raw transport failure maps onto the error family.
 */
import {
  QualysError,
  QualysNetworkError,
  QualysRateLimitError,
  QualysResponseTooLargeError,
  QualysTimeoutError,
  type RequestInfo,
} from "./errors.js";
import { redact } from "./redact.js";

export interface RetryOptions {
  /** Retries of one idempotent call after its first attempt. Default 5. */
  maxRetries: number;
  /** Delay before the first retry, before jitter. Default 500 ms. */
  baseDelayMs: number;
  /** Cap of one delay. Default 30 s. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * How many announced limit waits (409, remaining 0) one call sits through before giving up with the
 * QualysRateLimitError; these are Qualys' own instructions, so they do not count as retries.
 */
export const MAX_LIMIT_WAITS = 20;

export type RetryDecision =
  | { retry: true; delayMs: number; reason: string }
  | { retry: false; reason: string };

/**
 * Exponential backoff with jitter: attempt n waits between half and all of `base * 2^(n-1)`, capped. The upper
 * half keeps a floor (a retry storm still spreads out) while the jitter de-synchronizes concurrent callers.
 */
export function backoffDelay(attempt: number, options: RetryOptions, random: () => number): number {
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}

/**
 * Should this failure be tried again? Only retryable errors (network, timeout, 5xx/429, truncated or HTML
 * bodies) of idempotent calls, and only `maxRetries` times. A scan launch is not idempotent: repeating it
 * could start a second scan, so its caller decides (see `launchOnce` in scans.ts).
 */
export function retryDecision(
  error: QualysError,
  call: { idempotent: boolean; attempt: number },
  options: RetryOptions,
  random: () => number,
): RetryDecision {
  if (error instanceof QualysRateLimitError)
    return { retry: false, reason: "rate limit (handled by the limiter)" };
  if (!error.retryable) return { retry: false, reason: `${error.kind} errors are final` };
  if (!call.idempotent) return { retry: false, reason: "the call is not idempotent" };
  if (call.attempt >= options.maxRetries)
    return { retry: false, reason: `gave up after ${call.attempt} retries` };
  const delayMs = backoffDelay(call.attempt + 1, options, random);
  return { retry: true, delayMs, reason: error.message };
}

/** undici's and Node's error codes for a request that timed out. */
const TIMEOUT_CODES = new Set([
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "ETIMEDOUT",
]);

/**
 * Map a transport failure to the error family. Only transport failures (Node's E* codes such as ECONNRESET,
 * undici's UND_ERR_* such as UND_ERR_SOCKET "other side closed") become network or timeout errors; anything else
 * is a bug in our code and is returned as undefined so the caller rethrows it unchanged, never retried.
 */
export function transportFailure(
  error: unknown,
  request: RequestInfo,
  timeoutMs: number,
  secrets: readonly string[],
): QualysError | undefined {
  if (error instanceof QualysError) return error;
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : undefined;
  if (code === undefined || !/^(E[A-Z_]+|UND_ERR_\w+|ERR_\w+)$/.test(code)) return undefined;
  if (TIMEOUT_CODES.has(code)) return new QualysTimeoutError(timeoutMs, request);
  if (code === "ERR_RESPONSE_TOO_LARGE") {
    const limit = (error as { limitBytes?: unknown }).limitBytes;
    return new QualysResponseTooLargeError(typeof limit === "number" ? limit : 0, request);
  }
  const message = typeof e?.message === "string" ? e.message : String(error);
  return new QualysNetworkError(code, redact(message, secrets), request);
}
