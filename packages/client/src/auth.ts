/**
 * Authentication per API family (docs/qualys-api.md 2): Basic (UTF-8), the VM v2 session cookie, and gateway
 * tokens (username/password at `/auth`, or OAuth client credentials at `/auth/oidc`). One `Authenticator` per
 * client: the session and the token are client state, never module globals.
 */
import { QualysAuthError, type RequestInfo } from "./errors.js";
import type { Clock } from "./limiter.js";
import { redact } from "./redact.js";
import { currentRequestScope } from "./request-scope.js";
import { readSimpleReturn, simpleReturnError } from "./simple-return.js";
import type { HttpResponse, Transport } from "./transport.js";
import { parseXml } from "./xml.js";

export type Auth =
  | { kind: "basic"; username: string; password: string }
  /**
   * VM v2 calls use a session (login once, logout at the end); WAS calls use Basic (sessions are v2-only,
   * docs/qualys-api.md 2.2).
   */
  | { kind: "session"; username: string; password: string }
  /**
   * A JWT from `POST {gateway}/auth` with username and password (docs/qualys-api.md 2.3); Bearer on every
   * call.
   */
  | { kind: "jwt"; username: string; password: string }
  /**
   * OAuth client credentials through the gateway `/auth/oidc` (docs/qualys-api.md 2.3, JWAS
   * QualysBaseClient).
   */
  | { kind: "oauth"; clientId: string; clientSecret: string };

/** API families: how to authenticate and how Qualys reports failures. */
export type Family = "qps" | "v2" | "msp";

export interface AuthContext {
  apiUrl: string;
  gatewayUrl: string;
  transport: Transport;
  timeoutMs: number;
  userAgent: string;
  clock: Clock;
  /** Called once per request sent on the client's behalf (login, logout, token), for the stats. */
  onRequest?: () => void;
}

/** The gateway token lasts 4 hours (docs/qualys-api.md 2.3; QSDK refreshes after ~14395 s). */
export const TOKEN_LIFETIME_MS = 4 * 3600_000;
/** Refresh this long before expiry, so a long page walk never sends an expired token. */
export const TOKEN_REFRESH_MARGIN_MS = 10 * 60_000;
/**
 * Sent on every v2 call: required with Basic and session auth as CSRF protection (docs/qualys-api.md 4.1).
 */
export const REQUESTED_WITH = "qualys-connector";

/**
 * The Basic header value. UTF-8, not 'ascii' (J1's bug, docs/qualys-api.md 2.1): passwords with ':' (legal
 * after the first ':' per RFC 7617) and non-ASCII characters survive.
 */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

/**
 * The secret values of these credentials as they travel: the password (raw; `redact` adds its URL encodings)
 * and the base64 of `user:password` that every Basic header carries; or the OAuth client secret.
 */
export function authSecrets(auth: Auth): string[] {
  if (auth.kind === "oauth") return [auth.clientSecret];
  return [auth.password, basicAuthorization(auth.username, auth.password).slice("Basic ".length)];
}

/** The `exp` claim of a JWT, in ms, when readable; tokens are opaque to us otherwise. */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof claims.exp === "number" ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export class Authenticator {
  private session: string | undefined;
  private sessionPromise: Promise<string> | undefined;
  private token: { value: string; expiresAt: number } | undefined;
  private tokenPromise: Promise<string> | undefined;

  constructor(
    readonly auth: Auth,
    private readonly context: AuthContext,
  ) {}

  /** Exact secret values to mask wherever text leaves the client: the credentials', the session's, the token's. */
  secrets(): string[] {
    const out = authSecrets(this.auth);
    if (this.session) out.push(this.session);
    if (this.token) out.push(this.token.value);
    return out;
  }

  private info(method: string, url: string): RequestInfo {
    return { method, url: redact(url, this.secrets()) };
  }

  /** Headers that authenticate one call of this family. */
  async headers(family: Family): Promise<Record<string, string>> {
    const { auth } = this;
    if (auth.kind === "oauth" || (auth.kind === "jwt" && family !== "msp")) {
      const bearer = `Bearer ${await this.bearer()}`;
      // JWAS sends `request-source: gateway` with the Bearer token on qualysapi WAS calls
      // (docs/qualys-api.md 2.3).
      return family === "qps"
        ? { Authorization: bearer, "request-source": "gateway" }
        : { Authorization: bearer };
    }
    if (auth.kind === "session" && family === "v2") {
      return { Cookie: `QualysSession=${await this.ensureSession()}` };
    }
    // /msp/about.php is "Basic auth only" (docs/qualys-api.md 1.4); WAS never takes the session cookie (2.2).
    return { Authorization: basicAuthorization(auth.username, auth.password) };
  }

  /** Forget a session Qualys no longer accepts, so the next attempt logs in again. */
  dropSession(): void {
    this.session = undefined;
  }

  get hasSession(): boolean {
    return this.session !== undefined;
  }

  private async ensureSession(): Promise<string> {
    if (this.session) return this.session;
    this.sessionPromise ??= this.login().finally(() => {
      this.sessionPromise = undefined;
    });
    return this.sessionPromise;
  }

  private send(url: string, headers: Record<string, string>, body: string): Promise<HttpResponse> {
    this.context.onRequest?.();
    return this.context.transport({
      method: "POST",
      url,
      headers: { "User-Agent": this.context.userAgent, ...headers },
      body,
      timeoutMs: this.context.timeoutMs,
      // Logins and token requests obey the caller's scope too (request-scope.ts).
      signal: currentRequestScope()?.signal,
    });
  }

  /**
   * VM v2 session login (docs/qualys-api.md 2.2): the password travels as a URL-encoded form field, so no
   * Basic header is built at all. The session id arrives in `Set-Cookie: QualysSession=…`.
   */
  private async login(): Promise<string> {
    const auth = this.auth;
    if (auth.kind !== "session") throw new Error("login without session credentials");
    const url = `${this.context.apiUrl}/api/2.0/fo/session/`;
    const response = await this.send(
      url,
      { "X-Requested-With": REQUESTED_WITH, "Content-Type": "application/x-www-form-urlencoded" },
      new URLSearchParams({ action: "login", username: auth.username, password: auth.password }).toString(),
    );
    const cookie = /QualysSession=([^;,\s]+)/.exec(response.headers["set-cookie"] ?? "")?.[1];
    if (response.status === 200 && cookie) {
      this.session = cookie;
      return cookie;
    }
    const info = this.info("POST", url);
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
    await this.send(
      `${this.context.apiUrl}/api/2.0/fo/session/`,
      {
        "X-Requested-With": REQUESTED_WITH,
        "Content-Type": "application/x-www-form-urlencoded",
        Cookie: `QualysSession=${session}`,
      },
      "action=logout",
    );
  }

  private async bearer(): Promise<string> {
    const now = this.context.clock.now();
    if (this.token && this.token.expiresAt - TOKEN_REFRESH_MARGIN_MS > now) return this.token.value;
    this.tokenPromise ??= this.fetchToken().finally(() => {
      this.tokenPromise = undefined;
    });
    return this.tokenPromise;
  }

  /**
   * A gateway token (docs/qualys-api.md 2.3): `POST {gateway}/auth` (form username/password/token=true, HTTP
   * 201 with the JWT as text) or `POST {gateway}/auth/oidc` (headers clientId/clientSecret, empty body).
   */
  private async fetchToken(): Promise<string> {
    const auth = this.auth;
    let url: string;
    let response: HttpResponse;
    if (auth.kind === "oauth") {
      url = `${this.context.gatewayUrl}/auth/oidc`;
      response = await this.send(
        url,
        {
          clientId: auth.clientId,
          clientSecret: auth.clientSecret,
          accept: "application/json",
          "Content-Type": "application/x-www-form-urlencoded",
        },
        "",
      );
    } else if (auth.kind === "jwt") {
      url = `${this.context.gatewayUrl}/auth`;
      response = await this.send(
        url,
        { "Content-Type": "application/x-www-form-urlencoded" },
        new URLSearchParams({ username: auth.username, password: auth.password, token: "true" }).toString(),
      );
    } else {
      throw new Error("token without gateway credentials");
    }
    const token = response.body.trim();
    if ((response.status !== 200 && response.status !== 201) || token.split(".").length !== 3) {
      throw new QualysAuthError(
        "credentials",
        `the gateway refused the ${auth.kind === "oauth" ? "client " : ""}credentials (HTTP ${response.status})`,
        this.info("POST", url),
      );
    }
    const now = this.context.clock.now();
    const expiresAt = Math.min(jwtExpiry(token) ?? Number.POSITIVE_INFINITY, now + TOKEN_LIFETIME_MS);
    this.token = { value: token, expiresAt };
    return token;
  }
}
