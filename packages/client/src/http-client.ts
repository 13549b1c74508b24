/**
 * The request core every endpoint goes through. It composes the small modules: `Authenticator` (auth.ts) for
 * headers, the per-client `ApiLimiter` (limiter.ts) for Qualys' limits, `retryDecision` (retry.ts) for transient
 * failures, and maps every HTTP-level failure onto the error family with secrets redacted.
 */

import { type Auth, Authenticator, type Family, REQUESTED_WITH } from "./auth.js";
import {
  excerpt,
  QualysAbortError,
  QualysAuthError,
  QualysHttpError,
  QualysParseError,
  QualysRateLimitError,
  type RequestInfo,
  redactError,
} from "./errors.js";
import { ApiLimiter, apiKey, type Clock, readLimitHeaders } from "./limiter.js";
import { readServiceResponse } from "./qps-envelope.js";
import { redact } from "./redact.js";
import { abortText, currentRequestScope } from "./request-scope.js";
import { MAX_LIMIT_WAITS, type RetryOptions, retryDecision, transportFailure } from "./retry.js";
import { readSimpleReturn, simpleReturnError } from "./simple-return.js";
import {
  bufferedStreamTransport,
  type HttpRequest,
  type HttpResponse,
  type HttpStreamResponse,
  type StreamTransport,
  type Transport,
  TransportError,
} from "./transport.js";
import { looksLikeHtml, parseXml } from "./xml.js";

export type { Auth, Family } from "./auth.js";

/** What the `log` hook receives. URLs are redacted; no header or body is ever included. */
export type ClientEvent =
  | { type: "request"; method: string; url: string }
  | { type: "response"; method: string; url: string; status: number; ms: number }
  | { type: "retry"; method: string; url: string; attempt: number; delayMs: number; reason: string }
  | { type: "wait"; api: string; ms: number; seconds: number; reason: string }
  | { type: "warning"; message: string };

export interface CoreOptions {
  apiUrl: string;
  gatewayUrl: string;
  auth: Auth;
  transport: Transport;
  /** Streamed bodies (report downloads). Default: `transport`, with the whole body as the head. */
  streamTransport?: StreamTransport;
  /** Total deadline of one request (headers and body); 0 disables it. */
  timeoutMs: number;
  /** Longest response body read, in bytes. */
  maxResponseBytes: number;
  /** Longest body read by a `download` call (scan results, reports). */
  maxDownloadBytes: number;
  retry: RetryOptions;
  /**
   * Longest limit wait (seconds) the client sits through on its own. Qualys can ask for hours (code 1965, "cannot
   * be run again for another 23 hours…", docs/qualys-api.md 5.1-5.2); beyond this the QualysRateLimitError
   * reaches the caller with its `waitSec`, and the caller decides.
   */
  maxWaitSec: number;
  concurrency: number;
  clock: Clock;
  random: () => number;
  log?: (event: ClientEvent) => void;
  userAgent: string;
  /** Secret values besides the credentials' (the proxy's), masked like them. */
  secrets?: readonly string[];
}

export interface CallOptions {
  family: Family;
  method: "GET" | "POST";
  path: string;
  /** v2: parameters, sent as a urlencoded body (POST) or query (GET). */
  params?: Record<string, string>;
  /** QPS: a ServiceRequest body. */
  body?: string;
  contentType?: string;
  accept?: string;
  /** May the call be repeated safely? Launches and cancels are not. */
  idempotent: boolean;
  /** Full URL for following a truncation URL as is. */
  absoluteUrl?: string;
  /** Scan results and report downloads: read up to `maxDownloadBytes` instead of `maxResponseBytes`. */
  download?: boolean;
}

/**
 * Without limit headers, 1960 (concurrency) clears when a running call ends: a short wait
 * (docs/qualys-api.md 5.1).
 */
const CONCURRENCY_WAIT_SEC = 2;
/** Without a hint, 1965 (rate) needs the window to free a call; QAPI retries such calls every 30-60 s. */
const RATE_WAIT_SEC = 60;

export class HttpCore {
  readonly limiter: ApiLimiter;
  readonly auth: Authenticator;
  /** Counters for reports and notes. */
  readonly stats = { requests: 0, retries: 0, limitWaits: 0 };

  constructor(readonly options: CoreOptions) {
    this.limiter = new ApiLimiter(options.concurrency, options.clock);
    this.auth = new Authenticator(options.auth, {
      apiUrl: options.apiUrl,
      gatewayUrl: options.gatewayUrl,
      transport: options.transport,
      timeoutMs: options.timeoutMs,
      userAgent: options.userAgent,
      clock: options.clock,
      onRequest: () => {
        this.stats.requests += 1;
      },
    });
  }

  /** Exact secret values to mask wherever text leaves the client. */
  get secrets(): string[] {
    return [...this.auth.secrets(), ...(this.options.secrets ?? [])];
  }

  /** Tell the `log` hook about data the client changed on its way in (e.g. an over-long name it cut). */
  warn(message: string): void {
    this.options.log?.({ type: "warning", message });
  }

  info(method: string, url: string): RequestInfo {
    return { method, url: redact(url, this.secrets) };
  }

  /** Perform a call with auth, limits, retries and error mapping. Returns the raw answer (checked for HTTP-level failures). */
  call(call: CallOptions): Promise<HttpResponse> {
    return this.callAndRead(call, (response) => response);
  }

  /**
   * Perform a call and read its answer inside the retry loop, so that a truncated or malformed body (a retryable
   * QualysParseError) is fetched again like any other transient failure.
   */
  async callAndRead<T>(call: CallOptions, read: (response: HttpResponse) => T): Promise<T> {
    return this.attempts(call, async (signal) => read(await this.send(call, signal)));
  }

  /**
   * Open a call whose body is streamed: status, headers and the first `headBytes` arrive within the request
   * deadline (`timeoutMs`) and are checked like any answer; `inspect` then looks at them (it may read the rest,
   * for an error envelope) inside the retry loop, so failures up to that point are retried like any call. The
   * body the caller reads afterwards is never retried: its failures (the idle timeout between chunks, the
   * abort of `signal` or of the request scope, a reset) end the iteration with the client's typed errors.
   */
  async callStream<T>(
    call: CallOptions,
    options: { idleTimeoutMs: number; headBytes: number; signal?: AbortSignal | undefined },
    inspect: (response: HttpStreamResponse, info: RequestInfo) => Promise<T>,
  ): Promise<T> {
    return this.attempts(
      call,
      async (signal) => {
        const response = await this.sendStream(call, signal, options);
        try {
          return await inspect(response, this.info(call.method, call.absoluteUrl ?? call.path));
        } catch (error) {
          response.cancel();
          throw error;
        }
      },
      options.signal,
    );
  }

  /**
   * The retry loop: limits, re-login, retries of transient failures, each failure mapped onto the error family
   * with secrets masked. `extraSignal` stops the call like the request scope's signal does.
   */
  private async attempts<T>(
    call: CallOptions,
    perform: (signal: AbortSignal | undefined) => Promise<T>,
    extraSignal?: AbortSignal,
  ): Promise<T> {
    const key = apiKey(call.absoluteUrl ? new URL(call.absoluteUrl).pathname : call.path);
    let attempt = 0;
    let limitWaits = 0;
    let reauthenticated = false;
    // The caller's scope (withRequestScope): its abort stops the call in flight, the back-off and limit waits.
    const scoped = currentRequestScope()?.signal;
    const signal = scoped && extraSignal ? AbortSignal.any([scoped, extraSignal]) : (scoped ?? extraSignal);
    const aborted = (): QualysAbortError =>
      new QualysAbortError(abortText(signal), this.info(call.method, call.absoluteUrl ?? call.path));
    for (;;) {
      if (signal?.aborted) throw aborted();
      let release: () => void;
      try {
        release = await this.limiter.acquire(
          key,
          (ms, reason) =>
            this.options.log?.({ type: "wait", api: key, ms, seconds: Math.ceil(ms / 1000), reason }),
          signal,
        );
      } catch (error) {
        if (signal?.aborted) throw aborted();
        throw error;
      }
      let result: T;
      try {
        result = await perform(signal);
      } catch (error) {
        release();
        if (signal?.aborted) throw aborted();
        const failure = transportFailure(
          error,
          this.info(call.method, call.absoluteUrl ?? call.path),
          this.options.timeoutMs,
          this.secrets,
        );
        if (failure === undefined) throw error instanceof Error ? redactError(error, this.secrets) : error;
        // Messages quote what the server said (SIMPLE_RETURN text, error details, body excerpts), and a server
        // or proxy may echo our headers there: every error leaves the client with the known secrets masked.
        const mapped = redactError(failure, this.secrets);
        if (mapped instanceof QualysRateLimitError) {
          // The limiter now holds every call to this API until the wait has passed; this call queues behind it.
          if (limitWaits < MAX_LIMIT_WAITS && mapped.waitSec <= this.options.maxWaitSec) {
            limitWaits += 1;
            this.stats.limitWaits += 1;
            continue;
          }
          throw mapped;
        }
        if (
          mapped instanceof QualysAuthError &&
          mapped.reason === "credentials" &&
          this.auth.hasSession &&
          !reauthenticated
        ) {
          // A refused session cookie has most likely expired (lifetime UNCONFIRMED, docs/qualys-api.md 2.2):
          // log in once more.
          this.auth.dropSession();
          reauthenticated = true;
          continue;
        }
        const decision = retryDecision(
          mapped,
          { idempotent: call.idempotent, attempt },
          this.options.retry,
          this.options.random,
        );
        if (!decision.retry) throw mapped;
        attempt += 1;
        this.stats.retries += 1;
        this.options.log?.({
          type: "retry",
          method: call.method,
          url: this.info(call.method, call.absoluteUrl ?? call.path).url,
          attempt,
          delayMs: decision.delayMs,
          reason: decision.reason,
        });
        await this.options.clock.sleep(decision.delayMs, signal);
        continue;
      }
      release();
      return result;
    }
  }

  /** URL, headers (auth included) and body of a call. */
  private async prepare(
    call: CallOptions,
  ): Promise<{ url: string; headers: Record<string, string>; body: string | undefined }> {
    const { apiUrl, userAgent } = this.options;
    const headers: Record<string, string> = { "User-Agent": userAgent };
    let url = call.absoluteUrl ?? `${apiUrl}${call.path}`;
    let body = call.body;
    if (call.family === "v2") {
      // docs/qualys-api.md 4.1: every v2 call carries X-Requested-With.
      headers["X-Requested-With"] = REQUESTED_WITH;
      const form = new URLSearchParams(call.params ?? {}).toString();
      if (call.method === "POST" && !call.absoluteUrl) {
        headers["Content-Type"] = "application/x-www-form-urlencoded";
        body = form;
      } else if (form) {
        url += `${url.includes("?") ? "&" : "?"}${form}`;
      }
    } else if (call.contentType) {
      headers["Content-Type"] = call.contentType;
    }
    if (call.accept) headers.Accept = call.accept;
    Object.assign(headers, await this.auth.headers(call.family));
    return { url, headers, body };
  }

  /** Send a prepared call through `transport`, counted and logged (URL redacted, no header or body). */
  private async logged<R extends { status: number }>(
    call: CallOptions,
    transport: (prepared: Omit<HttpRequest, "timeoutMs" | "signal">) => Promise<R>,
  ): Promise<{ url: string; response: R }> {
    const { url, headers, body } = await this.prepare(call);
    const started = this.options.clock.now();
    this.stats.requests += 1;
    this.options.log?.({ type: "request", method: call.method, url: redact(url, this.secrets) });
    const response = await transport({
      method: call.method,
      url,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    this.options.log?.({
      type: "response",
      method: call.method,
      url: redact(url, this.secrets),
      status: response.status,
      ms: this.options.clock.now() - started,
    });
    return { url, response };
  }

  private async send(call: CallOptions, signal: AbortSignal | undefined): Promise<HttpResponse> {
    const { url, response } = await this.logged(call, (prepared) =>
      this.options.transport({
        ...prepared,
        timeoutMs: this.options.timeoutMs,
        signal,
        maxBytes: call.download ? this.options.maxDownloadBytes : this.options.maxResponseBytes,
      }),
    );
    this.check(call, url, response);
    return response;
  }

  /**
   * Send a streamed call. A 200 is checked on its head (an HTML page instead of data); any other status is read
   * whole (within `maxResponseBytes`, it is an error page or envelope) and checked like a normal answer.
   */
  private async sendStream(
    call: CallOptions,
    signal: AbortSignal | undefined,
    options: { idleTimeoutMs: number; headBytes: number },
  ): Promise<HttpStreamResponse> {
    const transport = this.options.streamTransport ?? bufferedStreamTransport(this.options.transport);
    const { url, response } = await this.logged(call, (prepared) =>
      transport({
        ...prepared,
        timeoutMs: this.options.timeoutMs,
        signal,
        maxBytes: this.options.maxDownloadBytes,
        idleTimeoutMs: options.idleTimeoutMs,
        headBytes: options.headBytes,
      }),
    );
    try {
      const text =
        response.status === 200
          ? response.head.toString("utf8")
          : await readStreamText(response, this.options.maxResponseBytes);
      this.check(call, url, { status: response.status, headers: response.headers, body: text });
    } catch (error) {
      response.cancel();
      throw error;
    }
    return response;
  }

  /** HTTP-level checks: limits, auth refusals, 5xx, HTML pages. Envelope-level checks are the endpoint's. */
  private check(call: CallOptions, url: string, response: HttpResponse): void {
    const info = this.info(call.method, url);
    const key = apiKey(new URL(url).pathname);
    const limits = readLimitHeaders(response.headers);
    this.limiter.observe(key, limits);
    const isXml = response.body.trimStart().startsWith("<") && !looksLikeHtml(response.body);
    if (response.status === 409) {
      const sr = isXml ? readSimpleReturn(parseXml(response.body, info)) : undefined;
      const code = sr?.code === 1960 || sr?.code === 1965 || sr?.code === 1920 ? sr.code : null;
      // The header wins, then the body's SECONDS_TO_WAIT item (docs/qualys-api.md 5.2), then a default per
      // code (5.1).
      const hinted = limits.toWaitSec ?? (sr ? Number(sr.items.SECONDS_TO_WAIT ?? Number.NaN) : Number.NaN);
      const wait =
        Number.isFinite(hinted) && hinted > 0 ? hinted : code === 1965 ? RATE_WAIT_SEC : CONCURRENCY_WAIT_SEC;
      if (sr && code === null && sr.code !== undefined) {
        const err = simpleReturnError(sr, info);
        if (err) throw err;
      }
      this.limiter.block(
        key,
        wait,
        code === 1960
          ? "concurrency limit (409, code 1960)"
          : `rate limit (409${code ? `, code ${code}` : ""})`,
      );
      throw new QualysRateLimitError(code, wait, info);
    }
    if (call.family !== "qps" && isXml && [200, 400, 401, 403].includes(response.status)) {
      if (response.status !== 200 || response.body.includes("<SIMPLE_RETURN")) {
        const sr = readSimpleReturn(parseXml(response.body, info));
        const err = sr ? simpleReturnError(sr, info, limits.toWaitSec) : undefined;
        if (err instanceof QualysRateLimitError) {
          this.limiter.block(key, err.waitSec, `rate limit (code ${err.code})`);
        }
        if (err) throw err;
      }
    }
    if (
      call.family === "qps" &&
      response.status >= 400 &&
      response.status < 500 &&
      (response.body.includes("<ServiceResponse") || response.body.includes('"ServiceResponse"'))
    ) {
      // QPS can answer 401/403 with a ServiceResponse (UNAUTHORIZED, docs/qualys-api.md 3.6): the envelope
      // names the refusal.
      readServiceResponse(response.body, info);
    }
    if (response.status === 401 || response.status === 403) {
      throw new QualysAuthError(
        "credentials",
        `Qualys refused the credentials (HTTP ${response.status})`,
        info,
      );
    }
    if (response.status >= 400) {
      throw new QualysHttpError(response.status, info, excerpt(response.body, this.secrets));
    }
    if (looksLikeHtml(response.body)) {
      throw new QualysParseError(
        "expected XML or JSON but got an HTML page",
        info,
        excerpt(response.body, this.secrets),
      );
    }
  }

  /** Log out of the VM v2 session, if one is open. Safe to call more than once. */
  logout(): Promise<void> {
    return this.auth.logout();
  }
}

/**
 * The whole of a streamed body as text, refusing more than `maxBytes` (error pages and envelopes are small). The
 * refusal has code ERR_RESPONSE_TOO_LARGE, as the transport's own cap.
 */
export async function readStreamText(response: HttpStreamResponse, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [response.head];
  let total = response.head.length;
  const tooLarge = () =>
    new TransportError("ERR_RESPONSE_TOO_LARGE", `the response is larger than ${maxBytes} bytes`, maxBytes);
  if (total > maxBytes) throw tooLarge();
  for await (const chunk of response.rest) {
    total += chunk.length;
    if (total > maxBytes) {
      response.cancel();
      throw tooLarge();
    }
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks, total).toString("utf8");
}
