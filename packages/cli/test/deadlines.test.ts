/**
 * Deadlines end to end, with the built CLI against servers on 127.0.0.1: `--timeout` of a command is a total
 * deadline per request (a server dripping one byte at a time does not extend it), the gate's `--timeout` bounds
 * every request it makes, and durations longer than a timer holds neither warn nor turn into a busy loop.
 */

import type { ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readOutputs, tempDir } from "../../../test/gate-e2e.js";
import { type HoldProxy, startHoldProxy } from "./hold-proxy.js";
import { spawnCli } from "./spawn-cli.js";

let sim: RunningSimulator;
let proxy: HoldProxy;
let drip: Server;
let dripUrl = "";
const drips = new Set<NodeJS.Timeout>();

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scanDurationMs: 1500 });
  proxy = await startHoldProxy(sim.url);
  // Headers at once, then one byte every 100 ms for at most 30 s: every byte resets an idle timer.
  drip = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/xml" });
    res.write("<");
    let sent = 0;
    const timer = setInterval(() => {
      sent += 1;
      if (sent >= 300 || res.destroyed) {
        clearInterval(timer);
        drips.delete(timer);
        res.end();
        return;
      }
      res.write(" ");
    }, 100);
    drips.add(timer);
  });
  await new Promise<void>((resolve) => drip.listen(0, "127.0.0.1", resolve));
  dripUrl = `http://127.0.0.1:${(drip.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const timer of drips) clearInterval(timer);
  drip?.closeAllConnections();
  await new Promise<void>((resolve) => (drip ? drip.close(() => resolve()) : resolve()));
  await proxy?.close();
  await sim?.close();
});
beforeEach(() => {
  sim.control.reset();
  sim.control.setFaults({ rate: 0 });
});

const env = (url: string) => ({
  QUALYS_API_URL: url,
  QUALYS_USERNAME: "sim_user",
  QUALYS_PASSWORD: "sim-password",
});

describe("--timeout is a total deadline per request", () => {
  it("a server dripping a byte every 100 ms cannot hold `was webapps list --timeout 1` past its deadline", async () => {
    const started = performance.now();
    const run = await spawnCli(
      ["was", "webapps", "list", "--timeout", "1", "--max-retries", "0"],
      env(dripUrl),
      "",
    );
    const ms = performance.now() - started;
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain("timed out after 1 s");
    // The drip lasts 30 s; the deadline is 1 s and the process starts in well under a second.
    expect(ms).toBeLessThan(15_000);
  });

  it("the gate's --timeout bounds a status call that never answers: timed out, scan cancelled, exit 2", async () => {
    const dir = tempDir("gate-deadline-");
    let statusCalls = 0;
    // Hold the second status call; the per-request timeout (60 s) is far beyond the gate's 3 s.
    void proxy.hold((req) => req.path.includes("/status/was/wasscan/") && ++statusCalls === 2);
    const started = performance.now();
    const run = await spawnCli(
      [
        "scan",
        "was",
        "--webapp",
        "scenario-slow",
        "--poll-interval",
        "1s",
        "--timeout",
        "3s",
        "--request-timeout",
        "60",
        "--report-dir",
        dir,
      ],
      env(proxy.url),
      "",
    );
    const ms = performance.now() - started;
    expect(run.code, run.stderr).toBe(2);
    const { result } = await readOutputs(dir);
    expect(result.reason).toMatch(/^incomplete: timed out after 3s while polling; scan \d+ cancelled$/);
    expect(sim.control.world.wasScans.get(Number(result.scan?.id))?.status).toBe("CANCELED");
    expect(statusCalls).toBeGreaterThanOrEqual(2);
    expect(ms).toBeLessThan(20_000);
  });
});

describe("durations longer than a timer holds", () => {
  it("--poll-interval 36000 --timeout 40000 (minutes): no TimeoutOverflowWarning, no busy polling", async () => {
    const dir = tempDir("gate-long-");
    const statusBefore = proxy.seen.filter((r) => r.path.includes("/status/was/wasscan/")).length;
    let child: ChildProcess | undefined;
    let sent = false;
    const run = await spawnCli(
      [
        "scan",
        "was",
        "--webapp",
        "scenario-slow",
        "--poll-interval",
        "36000",
        "--timeout",
        "40000",
        "--report-dir",
        dir,
      ],
      env(proxy.url),
      "",
      {
        onSpawn: (c) => {
          child = c;
        },
        onStderr: (stderr) => {
          // After the first status line the run sleeps 25 days; stop it there.
          if (!sent && /scan \d+: [A-Z]+ \(/.test(stderr)) {
            sent = true;
            child?.kill("SIGTERM");
          }
        },
      },
    );
    expect(sent).toBe(true);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).not.toContain("TimeoutOverflowWarning");
    const statusCalls =
      proxy.seen.filter((r) => r.path.includes("/status/was/wasscan/")).length - statusBefore;
    // One status call before the sleep; an overflowing timer fires after 1 ms and polls hundreds of times.
    expect(statusCalls).toBe(1);
  });
});
