/**
 * The dashboard's server: one fetch-style handler (`Request` in, `Response` out, testable without a socket) and
 * its node:http listener. Only GET and HEAD; every response carries a strict CSP; off loopback, a token.
 */

import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { openStoreReader, type StoreReader } from "@qualys-connector/store";
import { ASSETS } from "./assets.js";
import { exportStream } from "./export.js";
import type { GateRunSource } from "./gate-runs.js";
import { html } from "./html.js";
import { applicationsPage } from "./pages/applications.js";
import { backHref, findingPage } from "./pages/finding.js";
import { findingsPage } from "./pages/findings.js";
import { gateRunPage, gateRunResult, gateRunsPage } from "./pages/gate-runs.js";
import { layout } from "./pages/layout.js";
import { overviewPage } from "./pages/overview.js";
import { applicationsView, findingsView, PAGE_SIZE, QueryError } from "./query.js";

/** Nothing but this server's own files; no inline script or style; no framing; forms only back here. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The cookie that carries the token after the first visit. */
export const TOKEN_COOKIE = "qc_dashboard_token";

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

export interface DashboardOptions {
  /** The store, opened read-only (`openStoreReader`). */
  reader: StoreReader;
  /** The recorded gate runs (default: the reader's); `null`: none, the page says the store records none. */
  gateRuns?: GateRunSource | null | undefined;
  /** When set, every request must carry it (the cookie, or `?token=` once, which sets the cookie). */
  token?: string | undefined;
  /**
   * The Host header values accepted (`127.0.0.1:8080`), against DNS rebinding: a page of another site whose name
   * resolves to 127.0.0.1 sends its own name. Unset: any.
   */
  allowedHosts?: readonly string[] | undefined;
  /** The clock of "scanned within N days". */
  now?: (() => number) | undefined;
  /** Told about an unexpected error (the page shows a generic message). */
  onError?: ((error: unknown) => void) | undefined;
}

export interface Dashboard {
  fetch(request: Request): Promise<Response>;
}

function respond(
  status: number,
  body: BodyInit | null,
  type: string,
  extra: Record<string, string> = {},
): Response {
  return new Response(body, {
    status,
    headers: { ...SECURITY_HEADERS, "content-type": type, "cache-control": "no-store", ...extra },
  });
}

function page(status: number, text: string): Response {
  return respond(status, text, "text/html; charset=utf-8");
}

function errorPage(status: number, title: string, message: string): Response {
  return page(status, layout(title, undefined, html`<h1>${title}</h1><p class="error-page">${message}</p>`));
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

/** The dashboard's handler over a read-only store. */
export function createDashboard(options: DashboardOptions): Dashboard {
  const { reader } = options;
  const now = options.now ?? Date.now;

  async function route(url: URL): Promise<Response> {
    const path = url.pathname;
    const params = url.searchParams;
    const asset = ASSETS[path];
    if (asset) return respond(200, asset.body, asset.type, { "cache-control": "no-cache" });
    if (path === "/favicon.ico") return respond(204, null, "text/plain");
    if (path === "/") return page(200, overviewPage(await reader.overview()));
    if (path === "/applications") {
      const view = applicationsView(params, now());
      const [list, total] = await Promise.all([
        reader.applications({ ...view, limit: PAGE_SIZE }),
        reader.countApplications(view.filter),
      ]);
      return page(200, applicationsPage(params, view, list, total));
    }
    if (path === "/findings") {
      // The column chooser submits one `col` per box; the view keeps them as one `cols`.
      if (params.has("col")) {
        const next = new URLSearchParams(params);
        next.set("cols", params.getAll("col").join(","));
        next.delete("col");
        return respond(303, null, "text/plain", { location: `/findings?${next.toString()}` });
      }
      const view = findingsView(params);
      const [list, total] = await Promise.all([
        reader.findings({ ...view, limit: PAGE_SIZE }),
        reader.countFindings(view.filter),
      ]);
      return page(200, findingsPage(params, view, list, total));
    }
    if (path === "/findings.csv" || path === "/findings.jsonl") {
      const view = findingsView(params);
      const format = path.endsWith(".csv") ? "csv" : "jsonl";
      const stamp = new Date(now()).toISOString().slice(0, 10);
      return respond(
        200,
        exportStream(reader, view, format),
        format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
        { "content-disposition": `attachment; filename="qualys-findings-${stamp}.${format}"` },
      );
    }
    const gateRuns = options.gateRuns === null ? undefined : (options.gateRuns ?? reader);
    if (path === "/gate-runs") {
      const source = gateRuns;
      const kind = params.get("kind") || undefined;
      if (kind !== undefined && kind !== "was" && kind !== "vm")
        throw new QueryError("kind", "expected was or vm");
      const before = params.get("before") || undefined;
      if (before !== undefined && !/^\d{1,15}$/.test(before))
        throw new QueryError("before", "expected a run id");
      const target = params.get("target") || undefined;
      const runs = source
        ? await source.listGateRuns({
            limit: PAGE_SIZE + 1,
            ...(kind === undefined ? {} : { kind }),
            ...(target === undefined ? {} : { targetKey: target }),
            ...(before === undefined ? {} : { beforeId: Number(before) }),
          })
        : [];
      const shown = runs.slice(0, PAGE_SIZE);
      const next = runs.length > PAGE_SIZE ? shown.at(-1)?.id : undefined;
      return page(
        200,
        gateRunsPage(params, shown, next, kind !== undefined || target !== undefined || before !== undefined),
      );
    }
    const run = /^\/gate-runs\/(\d{1,15})(\/vulnerabilities)?$/.exec(path);
    if (run) {
      const row = await gateRuns?.getGateRun(Number(run[1]));
      if (!row) return errorPage(404, "Not found", "No such gate run in this store.");
      return page(200, gateRunPage(row, gateRunResult(row), run[2] ? "vulnerabilities" : "summary"));
    }
    const finding = /^\/findings\/(\d{1,15})\/([^/]+)$/.exec(path);
    if (finding) {
      let uid: string;
      try {
        uid = decodeURIComponent(finding[2] ?? "");
      } catch {
        return errorPage(400, "Bad request", "The finding's address is not valid.");
      }
      const detail = await reader.finding(Number(finding[1]), uid);
      if (!detail) return errorPage(404, "Not found", "No such finding in this store.");
      return page(200, findingPage(detail, backHref(params.get("back"))));
    }
    return errorPage(404, "Not found", "No such page.");
  }

  return {
    async fetch(request) {
      if (request.method !== "GET" && request.method !== "HEAD")
        return respond(405, "only GET and HEAD", "text/plain; charset=utf-8", { allow: "GET, HEAD" });
      const url = new URL(request.url);
      if (options.allowedHosts && !options.allowedHosts.includes(request.headers.get("host") ?? ""))
        return respond(421, "unexpected Host", "text/plain; charset=utf-8");
      if (options.token !== undefined) {
        const fromCookie = cookie(request, TOKEN_COOKIE);
        const fromQuery = url.searchParams.get("token");
        if (fromQuery !== null && sameText(fromQuery, options.token)) {
          url.searchParams.delete("token");
          return respond(303, null, "text/plain", {
            location: `${url.pathname}${url.search}`,
            "set-cookie": `${TOKEN_COOKIE}=${options.token}; HttpOnly; SameSite=Strict; Path=/`,
          });
        }
        if (fromCookie === undefined || !sameText(fromCookie, options.token))
          return errorPage(
            401,
            "Token required",
            "Open the address with the token the dashboard printed when it started.",
          );
      }
      try {
        const response = await route(url);
        return request.method === "HEAD" ? new Response(null, response) : response;
      } catch (error) {
        if (error instanceof QueryError) return errorPage(400, "Bad request", error.message);
        if (error instanceof RangeError)
          return errorPage(400, "Bad request", "The page cursor does not fit this list.");
        options.onError?.(error);
        return errorPage(
          500,
          "Error",
          "The page could not be read from the store (see the dashboard's output).",
        );
      }
    },
  };
}

/** Loopback addresses: the dashboard needs no token there. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export interface StartDashboardOptions {
  /** The store's location (`sqlite:PATH`, a `.db` path, or `postgres://…`), opened read-only. */
  location: string;
  /** Default 127.0.0.1. */
  host?: string | undefined;
  /** Default 8080; 0 picks a free port. */
  port?: number | undefined;
  /** Where gate runs come from; default: the store's own (the reader). */
  gateRuns?: GateRunSource | undefined;
  /** Required off loopback; generated there when not given (`RunningDashboard.token`). */
  token?: string | undefined;
  onError?: ((error: unknown) => void) | undefined;
}

export interface RunningDashboard {
  /** The address to open (without the token). */
  url: string;
  /** The token in force, if any (generated when none was given off loopback). */
  token: string | undefined;
  /** Whether the token was generated here (the CLI prints it once). */
  tokenGenerated: boolean;
  close(): Promise<void>;
}

/** Hand a node request to the handler and its response back. */
function serveNode(dashboard: Dashboard, request: IncomingMessage, response: ServerResponse): void {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(", "));
  }
  const url = new URL(request.url ?? "/", "http://dashboard.invalid");
  void dashboard
    .fetch(new Request(url, { method: request.method ?? "GET", headers }))
    .then((answer) => {
      response.writeHead(answer.status, Object.fromEntries(answer.headers.entries()));
      if (answer.body === null) {
        response.end();
        return;
      }
      const body = Readable.fromWeb(answer.body as import("node:stream/web").ReadableStream<Uint8Array>);
      response.on("close", () => body.destroy());
      body.on("error", () => response.destroy());
      body.pipe(response);
    })
    .catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
}

/** Open the store read-only and serve the dashboard on `host:port`. */
export async function startDashboard(options: StartDashboardOptions): Promise<RunningDashboard> {
  const host = options.host ?? "127.0.0.1";
  const loopback = isLoopback(host);
  let token = options.token;
  let tokenGenerated = false;
  if (!loopback && token === undefined) {
    token = randomBytes(24).toString("base64url");
    tokenGenerated = true;
  }
  if (token !== undefined && !/^[A-Za-z0-9._~-]{16,200}$/.test(token))
    throw new RangeError("the token must be 16 to 200 characters of A-Z, a-z, 0-9, '.', '_', '~', '-'");
  const reader = await openStoreReader(options.location);
  let server: Server | undefined;
  try {
    const allowed: string[] = [];
    const dashboard = createDashboard({
      reader,
      token,
      allowedHosts: loopback ? allowed : undefined,
      gateRuns: options.gateRuns,
      onError: options.onError,
    });
    server = createServer((request, response) => serveNode(dashboard, request, response));
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once("error", reject);
      listening.listen(options.port ?? 8080, host, () => resolve());
    });
    const { port } = listening.address() as AddressInfo;
    const shownHost = host.includes(":") ? `[${host}]` : host;
    for (const name of ["127.0.0.1", "localhost", "[::1]", shownHost]) allowed.push(`${name}:${port}`);
    return {
      url: `http://${shownHost}:${port}/`,
      token,
      tokenGenerated,
      close: async () => {
        await new Promise<void>((resolve) => {
          listening.close(() => resolve());
          listening.closeAllConnections();
        });
        await reader.close();
      },
    };
  } catch (error) {
    server?.close();
    await reader.close();
    throw error;
  }
}
