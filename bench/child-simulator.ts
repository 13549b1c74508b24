/**
 * `qualys-connector sim` in a child process, for benches that must not share the simulator's event loop (its
 * rendering would be measured as the client's time). Resolves once it prints its listening line.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createQualysClient } from "../packages/client/src/index.js";

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../packages/cli/src/bin.ts");

export interface ChildSimulator {
  url: string;
  /** Stop it and wait for it to exit. */
  stop(): Promise<void>;
}

/** Start the simulator with these `sim` flags (a free port is chosen). */
export async function childSimulator(flags: readonly string[]): Promise<ChildSimulator> {
  const child = spawn(process.execPath, ["--import", "tsx", bin, "sim", "--port", "0", ...flags], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let banner = "";
    child.stdout.on("data", (chunk: Buffer) => {
      banner += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`the simulator exited (${code}) before listening`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

/**
 * The throughput benches' simulator: the data set of the sync tests (50 web apps of 400 findings), every call
 * answered in `latencyMs`, at most `concurrency` WAS calls at once, and a rate window large enough never to bind.
 */
export function throughputSimulator(latencyMs: number, concurrency: number): Promise<ChildSimulator> {
  return childSimulator([
    "--webapps",
    "50",
    "--findings-per-webapp",
    "400",
    "--hosts",
    "0",
    "--latency",
    `${latencyMs}ms`,
    "--concurrency-limit",
    String(concurrency),
    "--limits-on-was",
    "--rate-limit",
    "100000/3600",
  ]);
}

/**
 * What one call costs beyond the latency, measured with one call at a time: loopback transfer and parsing of a
 * page of verbose findings on this machine (10 pages).
 */
export async function callOverheadMs(url: string, latencyMs: number, page: number): Promise<number> {
  const probe = createQualysClient({
    apiUrl: url,
    auth: { kind: "basic", username: "sim_user", password: "sim-password" },
    concurrency: 1,
  });
  const p0 = performance.now();
  let probed = 0;
  for await (const _ of probe.was.findings.search({ verbose: true, pageSize: page }))
    if (++probed >= 10 * page) break;
  const perCallMs = (performance.now() - p0) / 10 - latencyMs;
  await probe.close();
  return perCallMs;
}
