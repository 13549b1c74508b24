/**
 * The `/__sim/` control API (no authentication): reset, make time pass, inject faults, read call statistics
 * and the ground truth. Documented in the simulator README.
 */

import { parseFaultSettings } from "./http/faults.js";
import type { ApiResponse } from "./http/types.js";
import { resetRuntime, runScanCycles, type SimulatorRuntime } from "./runtime.js";

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
