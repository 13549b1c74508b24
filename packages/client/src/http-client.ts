/**
 * The request core every endpoint goes through: authentication per API family, the shared limiter, retries with
 * exponential backoff and jitter (idempotent calls only), and the mapping of every failure to the error family,
 * with secrets redacted.
 */

import { looksLikeHtml, parseXml, readSimpleReturn, simpleReturnError } from "./envelope.js";
import {
  excerpt,
  QualysAuthError,
  QualysError,
  QualysHttpError,
  QualysNetworkError,
  QualysParseError,
  QualysRateLimitError,
  QualysTimeoutError,
  type RequestInfo,
} from "./errors.js";
import { ApiLimiter, apiKey, type Clock, readLimitHeaders } from "./limiter.js";
import { redact } from "./redact.js";
import type { HttpResponse, Transport } from "./transport.js";

export type Auth =
  | { kind: "basic"; username: string; password: string }
  /** VM v2 calls use a session (login once, logout at the end); WAS calls use Basic. */
  | { kind: "session"; username: string; password: string }
  /** OAuth client credentials through the gateway `/auth/oidc` (qualys-api.md 2.3). */
  | { kind: "oauth"; clientId: string; clientSecret: string };

export type ClientEvent =
  | { type: "request"; method: string; url: string }
  | { type: "response"; method: string; url: string; status: number; ms: number }
  | { type: "retry"; method: string; url: string; attempt: number; delayMs: number; reason: string }
  | { type: "wait"; api: string; ms: number; reason: string };

export interface CoreOptions {
  apiUrl: string;
  gatewayUrl: string;
  auth: Auth;
  transport: Transport;
  timeoutMs: number;
  maxRetries: number;
  concurrency: number;
  clock: Clock;
  random: () => number;
  log?: (event: ClientEvent) => void;
  userAgent: string;
}

/** API families: how to authenticate and how Qualys reports failures. */
export type Family = "qps" | "v2" | "msp";

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
}

/** Refresh the gateway token this long before its 4-hour expiry. */
const TOKEN_REFRESH_MARGIN_MS = 10 * 60_000;
const TOKEN_LIFETIME_MS = 4 * 3600_000;
const MAX_LIMIT_WAITS = 20;

export class HttpCore {
  readonly limiter: ApiLimiter;
  private session: string | undefined;
  private sessionPromise: Promise<string> | undefined;
  private token: { value: string; expiresAt: number } | undefined;
  private tokenPromise: Promise<string> | undefined;
  /** Counters for reports and notes. */
  readonly stats = { requests: 0, retries: 0, limitWaits: 0 };

  constructor(readonly options: CoreOptions) {
    this.limiter = new ApiLimiter(options.concurrency, options.clock);
  }

  /** Exact secret values to mask wherever text leaves the client. */
  get secrets(): string[] {
    const { auth } = this.options;
    const out = auth.kind === "oauth" ? [auth.clientSecret] : [auth.password];
    if (this.session) out.push(this.session);
    if (this.token) out.push(this.token.value);
    return out;
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
    const key = apiKey(call.absoluteUrl ? new URL(call.absoluteUrl).pathname : call.path);
    let attempt = 0;
    let limitWaits = 0;
    for (;;) {
      const release = await this.limiter.acquire(key, (ms) =>
        this.options.log?.({ type: "wait", api: key, ms, reason: "API limit" }),
      );
      let result: T;
      try {
        result = read(await this.send(call));
      } catch (error) {
        release();
        const mapped = this.mapError(error, call);
        if (mapped instanceof QualysRateLimitError && limitWaits < MAX_LIMIT_WAITS) {
          limitWaits += 1;
          this.stats.limitWaits += 1;
          continue;
        }
        if (mapped.retryable && call.idempotent && attempt < this.options.maxRetries) {
          attempt += 1;
          const delayMs = this.backoff(attempt);
          this.stats.retries += 1;
          this.options.log?.({
            type: "retry",
            method: call.method,
            url: this.info(call.method, call.path).url,
            attempt,
            delayMs,
            reason: mapped.message,
          });
          await this.options.clock.sleep(delayMs);
          continue;
        }
        throw mapped;
      }
      release();
      return result;
    }
  }

  /** Exponential backoff with full jitter: 0.5 s, 1 s, 2 s, … capped at 30 s. */
  private backoff(attempt: number): number {
    const cap = Math.min(30_000, 500 * 2 ** (attempt - 1));
    return Math.round(cap / 2 + this.options.random() * (cap / 2));
  }

  private async send(call: CallOptions): Promise<HttpResponse> {
    const { apiUrl, timeoutMs, userAgent } = this.options;
    const headers: Record<string, string> = { "User-Agent": userAgent };
    let url = call.absoluteUrl ?? `${apiUrl}${call.path}`;
    let body = call.body;
    if (call.family === "v2") {
      // qualys-api.md 4.1: every v2 call carries X-Requested-With.
      headers["X-Requested-With"] = "qualys-connector";
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
    Object.assign(headers, await this.authHeaders(call.family));

    const started = this.options.clock.now();
    this.stats.requests += 1;
    this.options.log?.({ type: "request", method: call.method, url: redact(url, this.secrets) });
    const response = await this.options.transport({
      method: call.method,
      url,
      headers,
      ...(body === undefined ? {} : { body }),
      timeoutMs,
    });
    this.options.log?.({
      type: "response",
      method: call.method,
      url: redact(url, this.secrets),
      status: response.status,
      ms: this.options.clock.now() - started,
    });
    this.check(call, url, response);
    return response;
  }

  /** HTTP-level checks: limits, auth refusals, 5xx, HTML pages. Envelope-level checks are the endpoint's. */
  private check(call: CallOptions, url: string, response: HttpResponse): void {
    const info = this.info(call.method, url);
    const key = apiKey(new URL(url).pathname);
    const limits = readLimitHeaders(response.headers);
    this.limiter.observe(key, limits);
    const isXml = response.body.trimStart().startsWith("<");
    if (response.status === 409) {
      const sr =
        isXml && !looksLikeHtml(response.body) ? readSimpleReturn(parseXml(response.body, info)) : undefined;
      const code = sr?.code === 1960 || sr?.code === 1965 || sr?.code === 1920 ? sr.code : null;
      // 1960 (concurrency) clears when a running call ends; 1965 (rate) when the window frees a call (5.1).
      const waitSec = limits.toWaitSec ?? (sr ? Number(sr.items.SECONDS_TO_WAIT ?? NaN) : NaN);
      const wait = Number.isFinite(waitSec) && waitSec > 0 ? waitSec : code === 1965 ? 60 : 2;
      this.limiter.block(key, wait);
      if (sr && code === null) {
        const err = simpleReturnError(sr, info);
        if (err) throw err;
      }
      throw new QualysRateLimitError(code, wait, info);
    }
    if (
      call.family !== "qps" &&
      (response.status === 401 ||
        response.status === 403 ||
        response.status === 400 ||
        response.status === 200) &&
      isXml
    ) {
      if (response.status !== 200 || response.body.includes("<SIMPLE_RETURN")) {
        const doc = parseXml(response.body, info);
        const sr = readSimpleReturn(doc);
        const err = sr ? simpleReturnError(sr, info) : undefined;
        if (err) {
          if (
            err instanceof QualysAuthError &&
            err.reason === "credentials" &&
            this.session &&
            this.options.auth.kind === "session"
          ) {
            // The session may have expired: log in again on the next attempt.
            this.session = undefined;
          }
          throw err;
        }
      }
    }
    if (response.status === 401 || response.status === 403) {
      throw new QualysAuthError(
        "credentials",
        `Qualys refused the credentials (HTTP ${response.status})`,
        info,
      );
    }
    if (response.status >= 500 || response.status === 429) {
      throw new QualysHttpError(response.status, info, excerpt(response.body, this.secrets));
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

  /**
   * Map a failure to the error family. Only transport failures (Node's E* codes, undici's UND_ERR_*) become
   * network or timeout errors; anything else is a bug and propagates unchanged, never retried.
   */
  private mapError(error: unknown, call: CallOptions): QualysError {
    if (error instanceof QualysError) return error;
    const e = error as { code?: unknown; message?: string };
    const code = typeof e.code === "string" ? e.code : undefined;
    if (code === undefined || !/^(E[A-Z_]+|UND_ERR_\w+|ERR_\w+)$/.test(code)) throw error;
    const info = this.info(call.method, call.absoluteUrl ?? call.path);
    if (
      code === "UND_ERR_HEADERS_TIMEOUT" ||
      code === "UND_ERR_BODY_TIMEOUT" ||
      code === "UND_ERR_CONNECT_TIMEOUT"
    ) {
      return new QualysTimeoutError(this.options.timeoutMs, info);
    }
    return new QualysNetworkError(code, redact(e.message ?? String(error), this.secrets), info);
  }

  // ---------- Authentication ----------

  private async authHeaders(family: Family): Promise<Record<string, string>> {
    const { auth } = this.options;
    if (auth.kind === "oauth") {
      const token = await this.bearer();
      return family === "qps"
        ? { Authorization: `Bearer ${token}`, "request-source": "gateway" }
        : { Authorization: `Bearer ${token}` };
    }
    if (auth.kind === "session" && family === "v2") {
      return { Cookie: `QualysSession=${await this.ensureSession()}` };
    }
    // qualys-api.md 2.1: UTF-8, so passwords with ':' and non-ASCII characters survive (J1 used 'ascii').
    return {
      Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64")}`,
    };
  }

  private async ensureSession(): Promise<string> {
    if (this.session) return this.session;
    this.sessionPromise ??= this.login().finally(() => {
      this.sessionPromise = undefined;
    });
    return this.sessionPromise;
  }

  /** VM v2 session login (qualys-api.md 2.2): the password travels as a form field. */
  private async login(): Promise<string> {
    const auth = this.options.auth;
    if (auth.kind !== "session") throw new Error("login without session credentials");
    const url = `${this.options.apiUrl}/api/2.0/fo/session/`;
    const info = this.info("POST", url);
    const response = await this.options.transport({
      method: "POST",
      url,
      headers: {
        "User-Agent": this.options.userAgent,
        "X-Requested-With": "qualys-connector",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({
        action: "login",
        username: auth.username,
        password: auth.password,
      }).toString(),
      timeoutMs: this.options.timeoutMs,
    });
    this.stats.requests += 1;
    const cookie = /QualysSession=([^;,\s]+)/.exec(response.headers["set-cookie"] ?? "")?.[1];
    if (response.status === 200 && cookie) {
      this.session = cookie;
      return cookie;
    }
    const sr = response.body.trimStart().startsWith("<")
      ? readSimpleReturn(parseXml(response.body, info))
      : undefined;
    const err = sr ? simpleReturnError(sr, info) : undefined;
    throw err ?? new QualysAuthError("credentials", `session login refused (HTTP ${response.status})`, info);
  }

  /** Log out of the VM v2 session, if one is open. Safe to call more than once. */
  async logout(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    await this.options.transport({
      method: "POST",
      url: `${this.options.apiUrl}/api/2.0/fo/session/`,
      headers: {
        "User-Agent": this.options.userAgent,
        "X-Requested-With": "qualys-connector",
        "Content-Type": "application/x-www-form-urlencoded",
        Cookie: `QualysSession=${session}`,
      },
      body: "action=logout",
      timeoutMs: this.options.timeoutMs,
    });
    this.stats.requests += 1;
  }

  private async bearer(): Promise<string> {
    const now = this.options.clock.now();
    if (this.token && this.token.expiresAt - TOKEN_REFRESH_MARGIN_MS > now) return this.token.value;
    this.tokenPromise ??= this.fetchToken().finally(() => {
      this.tokenPromise = undefined;
    });
    return this.tokenPromise;
  }

  /** `POST {gateway}/auth/oidc` with clientId / clientSecret headers (JWAS QualysBaseClient, qualys-api.md 2.3). */
  private async fetchToken(): Promise<string> {
    const auth = this.options.auth;
    if (auth.kind !== "oauth") throw new Error("token without client credentials");
    const url = `${this.options.gatewayUrl}/auth/oidc`;
    const response = await this.options.transport({
      method: "POST",
      url,
      headers: {
        "User-Agent": this.options.userAgent,
        clientId: auth.clientId,
        clientSecret: auth.clientSecret,
        accept: "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: "",
      timeoutMs: this.options.timeoutMs,
    });
    this.stats.requests += 1;
    const token = response.body.trim();
    if ((response.status !== 200 && response.status !== 201) || token.split(".").length !== 3) {
      throw new QualysAuthError(
        "credentials",
        `the gateway refused the client credentials (HTTP ${response.status})`,
        this.info("POST", url),
      );
    }
    this.token = { value: token, expiresAt: this.options.clock.now() + TOKEN_LIFETIME_MS };
    return token;
  }
}
