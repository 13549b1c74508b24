/**
 * Authentication as Qualys does it, per API family (docs/qualys-api.md 2 and 7.2):
 * - Basic auth everywhere (UTF-8 credentials; the password may contain ':' since only the user-id may not, RFC 7617);
 * - VM API v2 session cookies (`QualysSession`) from `/api/2.0/fo/session/` login, v2 only;
 * - Bearer JWTs from the gateway `/auth` (username/password) or `/auth/oidc` (client credentials).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { SimUser } from "../model.js";

/** Session lifetime. UNCONFIRMED (docs/qualys-api.md 2.2); 4 hours, like the gateway token. */
export const SESSION_TTL_MS = 4 * 3600 * 1000;
/** Gateway token lifetime: 4 hours (docs/qualys-api.md 2.3). */
export const TOKEN_TTL_SEC = 4 * 3600;

export type Credentials =
  | { kind: "basic"; username: string; password: string }
  | { kind: "bearer"; token: string }
  | { kind: "session"; sessionId: string }
  | { kind: "none" }
  | { kind: "malformed" };

/** Read the credentials a request carries. Basic takes precedence over a session cookie, as in a browser-less client. */
export function readCredentials(headers: IncomingHttpHeaders, allowSession: boolean): Credentials {
  const authorization = headers.authorization;
  if (authorization) {
    const [scheme, value] = splitOnce(authorization.trim(), " ");
    if (scheme.toLowerCase() === "basic" && value) {
      const decoded = Buffer.from(value.trim(), "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon <= 0) return { kind: "malformed" };
      return { kind: "basic", username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (scheme.toLowerCase() === "bearer" && value) return { kind: "bearer", token: value.trim() };
    return { kind: "malformed" };
  }
  if (allowSession) {
    const sessionId = readCookie(headers.cookie, "QualysSession");
    if (sessionId) return { kind: "session", sessionId };
  }
  return { kind: "none" };
}

function splitOnce(value: string, separator: string): [string, string] {
  const i = value.indexOf(separator);
  return i < 0 ? [value, ""] : [value.slice(0, i), value.slice(i + 1)];
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [key, value] = splitOnce(part.trim(), "=");
    if (key === name && value) return value;
  }
  return undefined;
}

/** Constant-time comparison of two secrets. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

export function findUser(users: readonly SimUser[], username: string, password: string): SimUser | undefined {
  const user = users.find((u) => u.username === username);
  return user && sameSecret(user.password, password) ? user : undefined;
}

/** Sessions and tokens. Survives `/__sim/reset`, which restores data, not logins. */
export class AuthState {
  private readonly sessions = new Map<string, { username: string; expiresAt: number }>();
  private readonly secret = randomBytes(32);

  constructor(private readonly now: () => number) {}

  createSession(user: SimUser): string {
    const id = randomBytes(16).toString("hex");
    this.sessions.set(id, { username: user.username, expiresAt: this.now() + SESSION_TTL_MS });
    return id;
  }

  sessionUser(users: readonly SimUser[], sessionId: string): SimUser | undefined {
    const session = this.sessions.get(sessionId);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(sessionId);
      return undefined;
    }
    return users.find((u) => u.username === session.username);
  }

  endSession(sessionId: string): boolean {
    return this.sessions.delete(sessionId);
  }

  /** A signed JWT (HS256) with the claims clients read: `modulesAllowed` (JVM validateSubscription), `exp`. */
  issueToken(user: SimUser): string {
    const iat = Math.floor(this.now() / 1000);
    const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
    const payload = base64url(
      JSON.stringify({
        iss: "qualys-api-simulator",
        sub: user.username,
        userName: user.username,
        modulesAllowed: user.modules.map((m) => (m === "API" ? "API" : m)),
        iat,
        exp: iat + TOKEN_TTL_SEC,
      }),
    );
    const signature = this.sign(`${header}.${payload}`);
    return `${header}.${payload}.${signature}`;
  }

  /** The user a token belongs to, when the token is genuine and not expired. */
  tokenUser(users: readonly SimUser[], token: string): SimUser | undefined {
    const parts = token.split(".");
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    if (!sameSecret(this.sign(`${header}.${payload}`), signature)) return undefined;
    let claims: { sub?: unknown; exp?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
        sub?: unknown;
        exp?: unknown;
      };
    } catch {
      return undefined;
    }
    if (typeof claims.exp !== "number" || claims.exp * 1000 <= this.now()) return undefined;
    return users.find((u) => u.username === claims.sub);
  }

  private sign(data: string): string {
    return createHmac("sha256", this.secret).update(data).digest("base64url");
  }
}

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}
