/**
 * The `/__sim/` control API (no authentication): reset, make time pass, inject faults, read call statistics
 * and the ground truth. Documented in the simulator README.
 */

import { parseFaultSettings } from "./http/faults.js";
import type { ApiResponse } from "./http/types.js";
import { generatedRequestProblems } from "./options.js";
import {
  addGeneratedReport,
  type GeneratedReportRequest,
  resetRuntime,
  runScanCycles,
  type SimulatorRuntime,
} from "./runtime.js";

const MAX_CYCLES = 100;

function json(status: number, value: unknown): ApiResponse {
  return { status, contentType: "application/json", body: `${JSON.stringify(value)}\n` };
}

function problem(status: number, message: string): ApiResponse {
  return json(status, { error: message });
}

export async function handleControl(
  runtime: SimulatorRuntime,
  method: string,
  url: URL,
  body: Buffer,
): Promise<ApiResponse> {
  const route = `${method} ${url.pathname.replace(/\/+$/, "")}`;
  const webApp = /^POST \/__sim\/webapps\/(\d+)$/.exec(route);
  if (webApp) return updateWebApp(runtime, Number(webApp[1]), body);
  switch (route) {
    case "GET /__sim/health":
      return json(200, { status: "ok" });
    case "POST /__sim/reset":
      resetRuntime(runtime);
      return json(200, { status: "reset" });
    case "POST /__sim/scan-cycle": {
      const raw = url.searchParams.get("count") ?? "1";
      const count = Number(raw);
      if (!Number.isInteger(count) || count < 1 || count > MAX_CYCLES) {
        return problem(400, `count must be an integer from 1 to ${MAX_CYCLES}, got "${raw}"`);
      }
      runScanCycles(runtime, count);
      return json(200, { cycles: runtime.world.cycles });
    }
    case "GET /__sim/faults":
      return json(200, runtime.faults.current);
    case "POST /__sim/faults": {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString("utf8") || "null");
      } catch (error) {
        return problem(400, `body is not JSON: ${(error as Error).message}`);
      }
      const settings = parseFaultSettings(parsed);
      if ("problems" in settings) return problem(400, settings.problems.join("; "));
      runtime.faults.update(settings);
      return json(200, settings);
    }
    case "POST /__sim/reports":
      return createGeneratedReport(runtime, body);
    case "GET /__sim/stats":
      return json(200, runtime.stats.snapshot(runtime.limiter.counters));
    case "GET /__sim/ground-truth/webapps":
      return json(
        200,
        [...runtime.world.webApps.values()].map((w) => ({
          id: w.id,
          name: w.name,
          updatedDate: w.updatedDate,
        })),
      );
    case "GET /__sim/ground-truth/findings":
      return json(
        200,
        [...runtime.world.findings.values()].map((f) => ({
          id: f.id,
          uniqueId: f.uniqueId,
          webAppId: f.webAppId,
          qid: f.qid,
          type: f.type,
          status: f.status,
          severity: f.severity,
          isIgnored: f.isIgnored,
          lastDetectedDate: f.lastDetectedDate,
          updatedDate: f.updatedDate,
        })),
      );
    case "GET /__sim/ground-truth/kb":
      return json(
        200,
        [...runtime.world.kb.values()].map((v) => ({
          qid: v.qid,
          lastServiceModificationDate: v.lastServiceModificationDate,
        })),
      );
    default:
      return problem(404, `no such control endpoint: ${method} ${url.pathname}`);
  }
}

/**
 * `POST /__sim/webapps/<id>` with `{"name"?: string, "url"?: string}`: give a web app any name or URL, hostile
 * ones included (control characters, bidirectional overrides, CI workflow commands), to test how clients show them.
 * The web app keeps its scenario; `POST /__sim/reset` restores the seeded values.
 */
function updateWebApp(runtime: SimulatorRuntime, id: number, body: Buffer): ApiResponse {
  const app = runtime.world.webApps.get(id);
  if (!app) return problem(404, `no web app with id ${id}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8") || "null");
  } catch (error) {
    return problem(400, `body is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return problem(400, 'body must be an object such as {"name": "...", "url": "..."}');
  const { name, url: appUrl } = parsed as Record<string, unknown>;
  if (name !== undefined && typeof name !== "string") return problem(400, "name must be a string");
  if (appUrl !== undefined && typeof appUrl !== "string") return problem(400, "url must be a string");
  if (name !== undefined) app.name = name;
  if (appUrl !== undefined) app.url = appUrl;
  return json(200, { id: app.id, name: app.name, url: app.url });
}

/**
 * `POST /__sim/reports` with a generated report request (`{"findings": N, "responseBytes": M, "name"?, "type"?,
 * "hostile"?, "webAppId"?}`): add a COMPLETE saved report whose download is generated while it streams. Answers
 * `{"id", "name"}`. A reset removes it.
 */
function createGeneratedReport(runtime: SimulatorRuntime, body: Buffer): ApiResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8") || "null");
  } catch (error) {
    return problem(400, `body is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return problem(400, 'body must be an object such as {"findings": 100, "responseBytes": 1048576}');
  const request = parsed as GeneratedReportRequest;
  const problems = generatedRequestProblems(request);
  if (problems.length > 0) return problem(400, problems.join("; "));
  if (request.webAppId !== undefined && !runtime.world.webApps.has(request.webAppId))
    return problem(404, `no web app with id ${request.webAppId}`);
  const report = addGeneratedReport(runtime, request);
  return json(200, { id: report.id, name: report.name });
}
