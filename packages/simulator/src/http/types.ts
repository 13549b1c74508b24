import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import type { SimUser } from "../model.js";
import type { ResolvedOptions } from "../options.js";
import type { SimWorld } from "../world.js";
import type { AuthState } from "./auth.js";

/**
 * API families. They differ in how they authenticate and answer auth failures (docs/qualys-api.md 7.2) and in
 * whether API limits apply (docs/qualys-api.md 5.3, 3.11):
 * - `qps`: WAS API v3 (`/qps/rest/3.0`), AM (`/qps/rest/2.0`) and `/qps/rest/portal/version`. Basic or Bearer;
 *   auth failures are HTTP 200 ServiceResponses. No limits unless `limitsOnWas`.
 * - `v2`: VM API v2 and KB (`/api/2.0/fo`, `/api/3.0/fo`). Basic, QualysSession cookie or (OIDC) Bearer, plus
 *   `X-Requested-With`. Limited.
 * - `session`: `/api/2.0/fo/session/` login/logout. `X-Requested-With` required; exempt from limits.
 * - `msp`: API v1 `/msp/about.php`. Basic only. Limited.
 * - `gateway`: `/auth` and `/auth/oidc`. Credentials in the body or headers; exempt from limits.
 */
export type ApiFamily = "qps" | "v2" | "session" | "msp" | "gateway";

export interface ApiRequest {
  method: string;
  /** Path without query string, as sent. */
  path: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Route parameters, e.g. `{ id: "123" }` for `/qps/rest/3.0/get/was/webapp/{id}`. */
  params: Record<string, string>;
  /** The authenticated user (absent only for `session` and `gateway` routes, which authenticate themselves). */
  user: SimUser | undefined;
}

export interface ApiResponse {
  status: number;
  contentType: string;
  /** A Readable is piped to the socket (chunked, with backpressure): large generated reports. */
  body: string | Buffer | Readable;
  headers?: Record<string, string>;
}

/** What every handler can reach. */
export interface SimContext {
  world: SimWorld;
  options: ResolvedOptions;
  /** The simulator clock, in ms. */
  now(): number;
  /** Users that exist regardless of resets. */
  users: readonly SimUser[];
  /** Sessions and gateway tokens (survive resets). */
  auth: AuthState;
}

export type Handler = (req: ApiRequest, ctx: SimContext) => ApiResponse | Promise<ApiResponse>;

export interface Route {
  method: "GET" | "POST" | "GET|POST";
  /** Path template; `{name}` matches one path segment. A trailing slash is optional when matching. */
  path: string;
  family: ApiFamily;
  /** Module the user needs (checked after authentication). */
  module: "WAS" | "VM" | "KB" | "AM" | null;
  handler: Handler;
}

/**
 * A part of the simulated API: its routes, and an optional `tick` that moves time-driven state (scan
 * lifecycles, report generation, connector runs) up to `ctx.now()`. The server ticks every module before
 * each API and control call, so no timers are needed.
 */
export interface SimModuleDef {
  name: string;
  routes: Route[];
  tick?: (ctx: SimContext) => void;
}
