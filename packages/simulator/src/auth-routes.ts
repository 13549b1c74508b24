/**
 * Endpoints that authenticate by themselves: VM API v2 session login/logout (docs/qualys-api.md 2.2) and the
 * gateway token calls `/auth` and `/auth/oidc` (docs/qualys-api.md 2.3). The simulator serves the gateway on
 * the same origin as the API server; a client pointed at the simulator uses that origin for both.
 */
import { findUser, readCredentials, sameSecret } from "./http/auth.js";
import type { ApiRequest, ApiResponse, SimContext, SimModuleDef } from "./http/types.js";
import { renderSimpleReturn } from "./wire/simple-return.js";

/** Parameters of a v2 call: query string, then the urlencoded body (the body wins). */
export function formParams(req: ApiRequest): URLSearchParams {
  const params = new URLSearchParams(req.url.search);
  const type = String(req.headers["content-type"] ?? "");
  if (req.body.length > 0 && (type === "" || type.includes("x-www-form-urlencoded"))) {
    for (const [key, value] of new URLSearchParams(req.body.toString("utf8"))) params.set(key, value);
  }
  return params;
}

function simpleReturn(
  req: ApiRequest,
  ctx: SimContext,
  status: number,
  text: string,
  code?: number,
): ApiResponse {
  return {
    status,
    contentType: "text/xml;charset=UTF-8",
    body: renderSimpleReturn(req.url.origin, ctx.now(), code === undefined ? { text } : { code, text }),
  };
}

function session(req: ApiRequest, ctx: SimContext): ApiResponse {
  const params = formParams(req);
  const action = params.get("action");
  if (action === "login") {
    const username = params.get("username");
    const password = params.get("password");
    if (!username || !password)
      return simpleReturn(req, ctx, 400, "Missing required parameter(s): username, password.", 1903);
    const user = findUser(ctx.users, username, password);
    // UNCONFIRMED (docs/qualys-api.md 5.1): code 2000 with HTTP 401 for refused credentials.
    if (!user) return simpleReturn(req, ctx, 401, "Bad Login/Password", 2000);
    if (user.expired) return simpleReturn(req, ctx, 200, "This account has expired.", 2001);
    const id = ctx.auth.createSession(user);
    return {
      ...simpleReturn(req, ctx, 200, "Logged in"),
      // docs/qualys-api.md 2.2: the documented cookie attributes.
      headers: { "Set-Cookie": `QualysSession=${id}; path=/api; secure` },
    };
  }
  if (action === "logout") {
    const creds = readCredentials(req.headers, true);
    if (creds.kind !== "session" || !ctx.auth.endSession(creds.sessionId)) {
      return simpleReturn(req, ctx, 401, "Logout failed: no valid session.", 2000);
    }
    return {
      ...simpleReturn(req, ctx, 200, "Logged out"),
      headers: { "Set-Cookie": "QualysSession=; path=/api; expires=Thu, 01 Jan 1970 00:00:00 GMT; secure" },
    };
  }
  return simpleReturn(
    req,
    ctx,
    400,
    `Parameter action has invalid value: ${action ?? "(missing)"}. Use login or logout.`,
    1905,
  );
}

/**
 * `POST /auth`: form `username`, `password`, `token=true` → HTTP 201, the JWT as text/plain
 * (docs/qualys-api.md 2.3).
 */
function gatewayAuth(req: ApiRequest, ctx: SimContext): ApiResponse {
  const params = new URLSearchParams(req.body.toString("utf8"));
  const username = params.get("username") ?? "";
  const password = params.get("password") ?? "";
  const user = findUser(ctx.users, username, password);
  if (!user || user.expired || !user.modules.includes("API")) {
    // UNCONFIRMED: the gateway's refusal body; 401 with a short text.
    return { status: 401, contentType: "text/plain;charset=UTF-8", body: "Authentication Failure" };
  }
  return { status: 201, contentType: "text/plain;charset=UTF-8", body: ctx.auth.issueToken(user) };
}

/** `POST /auth/oidc`: headers `clientId` and `clientSecret`, empty body → the token (JWAS QualysBaseClient). */
function gatewayOidc(req: ApiRequest, ctx: SimContext): ApiResponse {
  const clientId = String(req.headers.clientid ?? "");
  const clientSecret = String(req.headers.clientsecret ?? "");
  const user = ctx.users.find((u) => u.clientId !== undefined && u.clientId === clientId);
  if (!user?.clientSecret || !sameSecret(user.clientSecret, clientSecret) || user.expired) {
    return { status: 401, contentType: "text/plain;charset=UTF-8", body: "Authentication Failure" };
  }
  return { status: 200, contentType: "text/plain;charset=UTF-8", body: ctx.auth.issueToken(user) };
}

export const authModule: SimModuleDef = {
  name: "auth",
  routes: [
    { method: "POST", path: "/api/2.0/fo/session", family: "session", module: null, handler: session },
    { method: "POST", path: "/auth", family: "gateway", module: null, handler: gatewayAuth },
    { method: "POST", path: "/auth/oidc", family: "gateway", module: null, handler: gatewayOidc },
  ],
};
