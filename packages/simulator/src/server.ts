/**
 * The simulator's HTTP server: routing, authentication per API family, API limits, faults, latency, the
 * `/__sim/` control API and call statistics. Endpoint behaviour lives in the modules (was/, vm/, reports/).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { handleControl } from "./control.js";
import { findUser, readCredentials } from "./http/auth.js";
import { gatewayErrorPage, MAINTENANCE_PAGE, malformedBody, SLOW_FAULT_MS } from "./http/faults.js";
import { limitKey } from "./http/limits.js";
import { Router } from "./http/router.js";
import type { ApiFamily, ApiRequest, ApiResponse, Route } from "./http/types.js";
import type { SimUser } from "./model.js";
import {
  type FaultKind,
  type GeneratedReportRequest,
  generatedRequestProblems,
  type SimulatorOptions,
  SimulatorOptionsError,
} from "./options.js";
import {
  addGeneratedReport,
  createRuntime,
  resetRuntime,
  runScanCycles,
  type SimulatorRuntime,
} from "./runtime.js";
import type { StatsSnapshot } from "./stats.js";
import { renderServiceResponse, responseFormat } from "./wire/qps.js";
import { renderSimpleReturn } from "./wire/simple-return.js";
import type { SimWorld } from "./world.js";

/**
 * Real answers carry `X-Powered-By: Qualys:<pod>:<subscription uuid>:<user uuid>` (docs/qualys-api.md 4.1).
 */
const POWERED_BY = {
  "X-Powered-By": "Qualys:SIMPOD1:00000000-0000-4000-8000-000000000001:00000000-0000-4000-8000-000000000002",
};

/** Request bodies above this size are refused with 413. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface SimulatorControl {
  /** Restore the seeded state (data, statistics and limit counters). */
  reset(): void;
  /** Make time pass: every web app and host is scanned once. */
  scanCycle(count?: number): void;
  setFaults(settings: { rate: number; kinds?: readonly FaultKind[] }): void;
  stats(): StatsSnapshot;
  /** Add a COMPLETE generated report (large or hostile) whose download streams; same as `POST /__sim/reports`. */
  addGeneratedReport(request: GeneratedReportRequest): { id: number; name: string };
  /** The live world, for in-process tests. */
  readonly world: SimWorld;
  readonly runtime: SimulatorRuntime;
}

export interface RunningSimulator {
  /** `http://HOST:PORT` */
  url: string;
  host: string;
  port: number;
  /** The main user's credentials. */
  credentials: { username: string; password: string };
  control: SimulatorControl;
  close(): Promise<void>;
}

/** Start the simulator and listen. Resolves once the port is bound. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const runtime = createRuntime(options);
  const router = new Router(runtime.modules.flatMap((m) => m.routes));
  const server = createServer((req, res) => {
    handle(runtime, router, req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
        res.end(`simulator internal error: ${(error as Error).message}\n`);
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5000;
  await listen(server, runtime.options.port, runtime.options.host);
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  return {
    url,
    host: address.address,
    port: address.port,
    credentials: { username: runtime.options.username, password: runtime.options.password },
    control: createControl(runtime),
    close: () => closeServer(server),
  };
}

function createControl(runtime: SimulatorRuntime): SimulatorControl {
  return {
    reset: () => resetRuntime(runtime),
    scanCycle: (count = 1) => runScanCycles(runtime, count),
    setFaults: (settings) =>
      runtime.faults.update({ rate: settings.rate, kinds: settings.kinds ?? runtime.faults.current.kinds }),
    stats: () => runtime.stats.snapshot(runtime.limiter.counters),
    addGeneratedReport: (request) => {
      const problems = generatedRequestProblems(request);
      if (problems.length > 0) throw new SimulatorOptionsError(problems);
      const report = addGeneratedReport(runtime, request);
      return { id: report.id, name: report.name };
    },
    get world() {
      return runtime.world;
    },
    runtime,
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function readBody(req: IncomingMessage): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? "too-large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function handle(
  runtime: SimulatorRuntime,
  router: Router,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const arrived = performance.now();
  const method = req.method ?? "GET";
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
  const body = await readBody(req);
  if (body === "too-large") {
    send(res, { status: 413, contentType: "text/plain; charset=utf-8", body: "request body too large\n" });
    return;
  }

  if (url.pathname.startsWith("/__sim/")) {
    runtime.tick();
    send(res, await handleControl(runtime, method, url, body));
    return;
  }

  const match = router.match(method, url.pathname);
  if (match.kind !== "found") {
    const key = `${method} ${url.pathname}`;
    if (match.kind === "not-found") {
      runtime.stats.record(key, 404);
      send(res, {
        status: 404,
        contentType: "text/plain; charset=utf-8",
        body: `no such API: ${url.pathname}\n`,
      });
    } else {
      runtime.stats.record(key, 405);
      send(res, {
        status: 405,
        contentType: "text/plain; charset=utf-8",
        body: `method ${method} not allowed; use ${match.allowed.join(" or ")}\n`,
        headers: { Allow: match.allowed.join(", ") },
      });
    }
    return;
  }

  const { route, params } = match;
  const statsKey = `${method} ${route.path}`;
  const fault = runtime.faults.draw();
  /**
   * The latency is the API's response time: the answer leaves no sooner than `latencyMs` after the request
   * arrived, the simulator's own work included (as a real API's work is part of its response time). Added after
   * the work instead, it made every call slower than the latency by however long this machine took to render a
   * page (13 ms for 100 verbose findings here), and no client could reach the concurrency x page size / latency
   * bound.
   */
  const latencyLeft = () => Math.max(0, runtime.options.latencyMs - (performance.now() - arrived));

  // Faults that replace the answer: decided before anything runs, so they never change state.
  if (fault && fault !== "truncate" && fault !== "slow") {
    await delay(latencyLeft());
    runtime.stats.record(statsKey, faultStatus(fault));
    sendFault(res, fault, url.origin, runtime.options.now(), responseFormat(req.headers));
    return;
  }

  const apiRequest: ApiRequest = {
    method,
    path: url.pathname,
    url,
    headers: req.headers,
    body,
    params,
    user: undefined,
  };
  let response: ApiResponse;
  let release: (() => void) | undefined;
  let limitHeaders: Record<string, string> | undefined;

  const refusal = authenticate(runtime, route, apiRequest);
  if (refusal) {
    response = refusal;
  } else {
    if (isLimited(runtime, route.family)) {
      const decision = runtime.limiter.acquire(limitKey(route.path));
      limitHeaders = decision.headers;
      if (!decision.allowed) {
        response = limitResponse(url.origin, runtime.options.now(), decision.code, decision.waitSec);
      } else {
        release = decision.release;
      }
    }
    response ??= await runHandler(runtime, route, apiRequest);
  }

  try {
    await delay(latencyLeft() + (fault === "slow" ? SLOW_FAULT_MS : 0));
  } finally {
    release?.();
  }
  const headers = { ...POWERED_BY, ...(limitHeaders ?? {}), ...(response.headers ?? {}) };
  runtime.stats.record(statsKey, response.status);
  if (fault === "truncate") {
    sendTruncated(res, { ...response, headers });
    return;
  }
  send(res, { ...response, headers });
}

async function runHandler(runtime: SimulatorRuntime, route: Route, req: ApiRequest): Promise<ApiResponse> {
  runtime.tick();
  return route.handler(req, runtime.context());
}

function isLimited(runtime: SimulatorRuntime, family: ApiFamily): boolean {
  // docs/qualys-api.md 5.3: limits apply to VM/PC APIs (v2 and v1); session login/logout and the gateway are
  // exempt.
  // docs/qualys-api.md 3.11: WAS is not limited today (UNCONFIRMED), so it is opt-in.
  if (family === "v2" || family === "msp") return true;
  if (family === "qps") return runtime.options.limitsOnWas;
  return false;
}

// ---------- Authentication ----------

/** Authenticate and authorize; returns the refusal to send, or undefined (and sets `req.user`). */
function authenticate(runtime: SimulatorRuntime, route: Route, req: ApiRequest): ApiResponse | undefined {
  const { users, auth } = runtime;
  const origin = req.url.origin;
  const now = runtime.options.now();
  switch (route.family) {
    case "gateway":
    case "session":
      if (route.family === "session" && !req.headers["x-requested-with"])
        return missingRequestedWith(origin, now);
      return undefined;
    case "qps": {
      const creds = readCredentials(req.headers, false);
      let user: SimUser | undefined;
      if (creds.kind === "basic") user = findUser(users, creds.username, creds.password);
      else if (creds.kind === "bearer") user = auth.tokenUser(users, creds.token);
      const format = responseFormat(req.headers);
      const xsd = { origin, path: qpsXsdPath(req.path) };
      // docs/qualys-api.md 3.6: auth failures on QPS come back as HTTP 200 with a responseCode (real J1
      // recording).
      if (!user || user.expired) {
        return qpsError(
          format,
          xsd,
          "INVALID_CREDENTIALS",
          "Authentication failed",
          "Verify both, user and password credentials.",
        );
      }
      if (!user.modules.includes("API") || (route.module && !user.modules.includes(route.module))) {
        return qpsError(
          format,
          xsd,
          "UNAUTHORIZED",
          "You are not authorized to access the application through the API.",
        );
      }
      req.user = user;
      return undefined;
    }
    case "v2":
    case "msp": {
      if (route.family === "v2" && !req.headers["x-requested-with"]) return missingRequestedWith(origin, now);
      const creds = readCredentials(req.headers, route.family === "v2");
      let user: SimUser | undefined;
      if (creds.kind === "basic") user = findUser(users, creds.username, creds.password);
      else if (creds.kind === "session") user = auth.sessionUser(users, creds.sessionId);
      else if (creds.kind === "bearer" && route.family === "v2") {
        const tokenUser = auth.tokenUser(users, creds.token);
        // docs/qualys-api.md 2.3: v2 accepts Bearer only when OIDC is enabled for the subscription.
        user = tokenUser?.oidcEnabled ? tokenUser : undefined;
      }
      if (!user) {
        // UNCONFIRMED (docs/qualys-api.md 5.1): code 2000 "Bad Login/Password", HTTP 401.
        return v2Error(origin, now, 401, 2000, "Bad Login/Password");
      }
      if (user.expired) return v2Error(origin, now, 200, 2001, "This account has expired."); // real, J1 recording
      if (!user.modules.includes("API")) {
        return v2Error(origin, now, 403, 2002, "API access is not enabled for this user."); // UNCONFIRMED
      }
      if (route.module && !user.modules.includes(route.module)) {
        const module = route.module === "KB" ? "KnowledgeBase" : route.module;
        // UNCONFIRMED wording; the module is named so a client can tell the user what to ask for.
        return v2Error(origin, now, 403, 2002, `This user is not authorized to use the ${module} API.`);
      }
      req.user = user;
      return undefined;
    }
  }
}

/**
 * The schema a QPS answer points at. The real INVALID_CREDENTIALS answer on /qps/rest/portal/version names the AM
 * hostasset schema (J1 recording verifyAuthenticationInaccesible), so we do too.
 */
function qpsXsdPath(path: string): string {
  const m = /^\/qps\/rest\/(\d\.\d)\/\w+\/(was|am)\/(\w+)/.exec(path);
  if (m) return `/qps/xsd/${m[1]}/${m[2]}/${m[3]}.xsd`;
  return "/qps/xsd/2.0/am/hostasset.xsd";
}

function missingRequestedWith(origin: string, now: number): ApiResponse {
  // docs/qualys-api.md 4.1: v2 calls must carry X-Requested-With; the real error is UNCONFIRMED, we use code
  // 1903.
  return v2Error(origin, now, 400, 1903, "Missing required header: X-Requested-With.");
}

function qpsError(
  format: "xml" | "json",
  xsd: { origin: string; path: string },
  code: string,
  message: string,
  resolution?: string,
): ApiResponse {
  const rendered = renderServiceResponse(
    format,
    {
      responseCode: code,
      error: resolution ? { errorMessage: message, errorResolution: resolution } : { errorMessage: message },
    },
    xsd,
  );
  return { status: 200, contentType: rendered.contentType, body: rendered.body };
}

function v2Error(origin: string, now: number, status: number, code: number, text: string): ApiResponse {
  return {
    status,
    contentType: "text/xml;charset=UTF-8",
    body: renderSimpleReturn(origin, now, { code, text }),
  };
}

function limitResponse(origin: string, now: number, code: 1960 | 1965, waitSec: number): ApiResponse {
  const text =
    code === 1960
      ? // docs/qualys-api.md 5.1: 1960 is the concurrency limit, 1965 the rate limit.
        `This API cannot be run again until ${Math.max(1, waitSec)} currently running instance has completed.`
      : `This API cannot be run again for another ${formatWait(waitSec)}.`;
  return {
    status: 409,
    contentType: "text/xml;charset=UTF-8",
    body: renderSimpleReturn(origin, now, {
      code,
      text,
      items: [{ key: "SECONDS_TO_WAIT", value: waitSec }],
    }),
  };
}

function formatWait(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h} hours, ${m} minutes and ${s} seconds`;
}

// ---------- Sending ----------

function send(res: ServerResponse, response: ApiResponse): void {
  if (response.body instanceof Readable) {
    sendStream(res, response, response.body, false);
    return;
  }
  const body = typeof response.body === "string" ? Buffer.from(response.body, "utf8") : response.body;
  res.writeHead(response.status, {
    "Content-Type": response.contentType,
    "Content-Length": String(body.length),
    ...(response.headers ?? {}),
  });
  res.end(body);
}

/**
 * A streamed body (generated reports): chunked transfer, piped so that the socket's backpressure paces the
 * producer. A client that goes away ends the pipeline, and with it the producer. `truncate` sends the first
 * chunk only, then drops the connection.
 */
function sendStream(res: ServerResponse, response: ApiResponse, body: Readable, truncate: boolean): void {
  res.writeHead(response.status, { "Content-Type": response.contentType, ...(response.headers ?? {}) });
  if (truncate) {
    body.once("data", (chunk: Buffer) => {
      body.destroy();
      res.write(chunk, () => res.destroy());
    });
    return;
  }
  pipeline(body, res).catch(() => {
    // The client closed the connection mid-body: nothing to answer to.
    res.destroy();
  });
}

function sendTruncated(res: ServerResponse, response: ApiResponse): void {
  if (response.body instanceof Readable) {
    sendStream(res, response, response.body, true);
    return;
  }
  const body = typeof response.body === "string" ? Buffer.from(response.body, "utf8") : response.body;
  res.writeHead(response.status, {
    "Content-Type": response.contentType,
    "Content-Length": String(body.length),
    ...(response.headers ?? {}),
  });
  // Announce the full length, send part of it, then drop the connection: the client sees a short body.
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
}

function faultStatus(fault: FaultKind): number {
  switch (fault) {
    case "500":
      return 500;
    case "502":
      return 502;
    case "503":
      return 503;
    case "409":
      return 409;
    case "reset":
      return 0;
    default:
      return 200;
  }
}

function sendFault(
  res: ServerResponse,
  fault: FaultKind,
  origin: string,
  now: number,
  format: "xml" | "json",
): void {
  switch (fault) {
    case "500":
    case "502":
    case "503": {
      const status = Number(fault);
      send(res, {
        status,
        contentType: "text/html",
        body: gatewayErrorPage(status),
        headers: status === 503 ? { "Retry-After": "1" } : {},
      });
      return;
    }
    case "reset":
      res.socket?.resetAndDestroy();
      return;
    case "html":
      send(res, { status: 200, contentType: "text/html; charset=UTF-8", body: MAINTENANCE_PAGE });
      return;
    case "malformed":
      {
        const contentType = format === "json" ? "application/json" : "application/xml";
        send(res, { status: 200, contentType, body: malformedBody(contentType) });
      }
      return;
    case "409":
      send(res, {
        ...limitResponse(origin, now, 1960, 1),
        headers: {
          "X-RateLimit-ToWait-Sec": "1",
          "X-Concurrency-Limit-Limit": "1",
          "X-Concurrency-Limit-Running": "1",
        },
      });
      return;
    default:
      return;
  }
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
