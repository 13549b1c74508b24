/**
 * One small error family with structured fields, built with secrets already redacted (STYLE.md). Only the CLI maps
 * these to exit codes.
 */
import { type OptionMessage, optionProblems, renderOptionMessage } from "./option-message.js";
import { redact } from "./redact.js";

export type QualysErrorKind =
  | "http"
  | "api"
  | "auth"
  | "rate-limit"
  | "timeout"
  | "parse"
  | "config"
  | "network"
  | "aborted";

export abstract class QualysError extends Error {
  abstract readonly kind: QualysErrorKind;
  /** Whether repeating the same idempotent call may succeed. */
  abstract readonly retryable: boolean;
}

export interface RequestInfo {
  method: string;
  /** Redacted URL. */
  url: string;
}

/** An HTTP status the call did not expect (5xx, unexpected 4xx). */
export class QualysHttpError extends QualysError {
  readonly kind = "http";
  readonly retryable: boolean;
  constructor(
    readonly status: number,
    readonly request: RequestInfo,
    /** The start of the body, redacted. */
    readonly bodyExcerpt: string,
  ) {
    super(`${request.method} ${request.url} answered HTTP ${status}${bodyExcerpt ? `: ${bodyExcerpt}` : ""}`);
    this.name = "QualysHttpError";
    this.retryable = status >= 500 || status === 429;
  }
}

/** Qualys refused the call, also when it said so with HTTP 200 (WAS responseCode, v2 SIMPLE_RETURN CODE). */
export class QualysApiError extends QualysError {
  readonly kind = "api";
  readonly retryable = false;
  constructor(
    /** WAS `responseCode` (e.g. INVALID_REQUEST) or the v2 numeric CODE as text (e.g. "1905"). */
    readonly code: string,
    readonly text: string,
    readonly request: RequestInfo,
    readonly resolution?: string,
  ) {
    super(
      `Qualys refused ${request.method} ${request.url}: ${code} ${text}${resolution ? ` (${resolution})` : ""}`,
    );
    this.name = "QualysApiError";
  }
}

/** Credentials were refused, or the user lacks the module or role for this API. */
export class QualysAuthError extends QualysError {
  readonly kind = "auth";
  readonly retryable = false;
  constructor(
    readonly reason: "credentials" | "unauthorized" | "expired",
    message: string,
    readonly request: RequestInfo,
    /** The module the call needed, when the refusal is about access (WAS, VM, KB, AM). */
    readonly module?: string,
  ) {
    super(message);
    this.name = "QualysAuthError";
  }
}

/** HTTP 409 with code 1960 (concurrency) or 1965 (rate), docs/qualys-api.md 5.1. */
export class QualysRateLimitError extends QualysError {
  readonly kind = "rate-limit";
  readonly retryable = true;
  constructor(
    readonly code: 1960 | 1965 | 1920 | null,
    /** Seconds Qualys asked us to wait (X-RateLimit-ToWait-Sec or SECONDS_TO_WAIT). */
    readonly waitSec: number,
    readonly request: RequestInfo,
  ) {
    super(
      `${request.method} ${request.url}: Qualys API ${code === 1960 ? "concurrency" : "rate"} limit reached; wait ${waitSec} s`,
    );
    this.name = "QualysRateLimitError";
  }
}

export class QualysTimeoutError extends QualysError {
  readonly kind = "timeout";
  readonly retryable = true;
  constructor(
    readonly timeoutMs: number,
    readonly request: RequestInfo,
  ) {
    super(`${request.method} ${request.url} timed out after ${timeoutMs / 1000} s`);
    this.name = "QualysTimeoutError";
  }
}

/** The caller stopped the call (its AbortSignal fired, e.g. on SIGTERM or the gate's deadline); never retried. */
export class QualysAbortError extends QualysError {
  readonly kind = "aborted";
  readonly retryable = false;
  constructor(
    /** The signal's reason as text, e.g. "SIGTERM received". */
    readonly reason: string,
    readonly request: RequestInfo,
  ) {
    super(`${request.method} ${request.url}: stopped (${reason})`);
    this.name = "QualysAbortError";
  }
}

/**
 * A response body larger than the client accepts (`maxResponseBytes`): reading on would exhaust memory, and asking
 * again would only repeat it, so it is final.
 */
export class QualysResponseTooLargeError extends QualysError {
  readonly kind = "parse";
  readonly retryable = false;
  constructor(
    readonly limitBytes: number,
    readonly request: RequestInfo,
  ) {
    super(
      `${request.method} ${request.url}: the response is larger than ${formatBytes(limitBytes)} (the client's maxResponseBytes); refusing to read it`,
    );
    this.name = "QualysResponseTooLargeError";
  }
}

/** `64 MB`, `512 KB`, `300 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${bytes} bytes`;
}

/** A body that is not what the API promised: truncated, malformed, or an HTML page instead of XML/JSON. */
export class QualysParseError extends QualysError {
  readonly kind = "parse";
  readonly retryable = true;
  constructor(
    message: string,
    readonly request: RequestInfo,
    readonly bodyExcerpt: string,
  ) {
    super(`${request.method} ${request.url}: ${message}`);
    this.name = "QualysParseError";
  }
}

/** The connection failed (refused, reset, DNS, TLS). */
export class QualysNetworkError extends QualysError {
  readonly kind = "network";
  readonly retryable = true;
  constructor(
    readonly code: string,
    message: string,
    readonly request: RequestInfo,
  ) {
    super(`${request.method} ${request.url}: ${message}`);
    this.name = "QualysNetworkError";
  }
}

/** Settings that cannot work; every problem names its input, the option as the caller passed it (`pageSize`). */
export class QualysConfigError extends QualysError {
  readonly kind = "config";
  readonly retryable = false;
  /** Each problem as text. */
  readonly problems: readonly string[];
  /** Each problem as parts, so a caller can name the options its own way (a CLI: as its flags). */
  readonly messages: readonly OptionMessage[];
  /** The options the problems name, e.g. `["pageSize"]`. */
  readonly options: readonly string[];
  constructor(problems: readonly (string | OptionMessage)[]) {
    const { messages, texts, options } = optionProblems(problems);
    super(QualysConfigError.join(texts));
    this.name = "QualysConfigError";
    this.problems = texts;
    this.messages = messages;
    this.options = options;
  }
  private static join(texts: readonly string[]): string {
    return texts.length === 1 ? (texts[0] ?? "") : `configuration problems:\n- ${texts.join("\n- ")}`;
  }
  /** The message with each option written by `name` (a CLI: its flag). */
  messageWith(name: (option: string) => string): string {
    return QualysConfigError.join(this.messages.map((m) => renderOptionMessage(m, name)));
  }
}

/**
 * The first characters of a body, redacted, for error messages. Redacted before it is cut: a secret cut in half
 * by the limit would no longer match its known value or its pattern.
 */
export function excerpt(body: string, secrets: readonly string[] = [], max = 300): string {
  // Far more than `max` (masks shorten the text), far less than a multi-megabyte page.
  const head = body.length > max * 64 ? body.slice(0, max * 64) : body;
  const flat = redact(head, secrets).replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * Mask secrets in every text an error carries (message, stack, body excerpt, Qualys' text and resolution, a
 * config error's problems, the request URL). Returns the same error.
 */
export function redactError<E extends Error>(error: E, secrets: readonly string[]): E {
  const fields = error as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === "string") fields[key] = redact(value, secrets);
    else if (Array.isArray(value))
      fields[key] = value.map((item: unknown) =>
        typeof item === "string"
          ? redact(item, secrets)
          : // A config error's problems as parts: text parts are masked, option names kept.
            Array.isArray(item)
            ? item.map((part: unknown) => (typeof part === "string" ? redact(part, secrets) : part))
            : item,
      );
    else if (key === "request" && value && typeof value === "object") {
      const request = value as RequestInfo;
      fields[key] = { ...request, url: redact(request.url, secrets) };
    }
  }
  error.message = redact(error.message, secrets);
  if (typeof error.stack === "string") error.stack = redact(error.stack, secrets);
  return error;
}
