/**
 * SIGTERM at any moment of a gate run ends it within 10 s: requests in flight stop, the scan this run launched is
 * cancelled, every output is written, exit 2. Both gates, five moments each, each reached by an event (a request
 * arriving at a proxy in front of the simulator, a line on stderr, the outputs' writer blocking on a FIFO), never
 * by sleeping. The built bundle runs (`npm run build` first), so the time measured is the run's, not tsx's.
 */

import type { ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { closeSync, constants, openSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { openStore } from "@qualys-connector/store";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readOutputs, tempDir } from "../../../test/gate-e2e.js";
import { type HoldProxy, type SeenRequest, startHoldProxy } from "./hold-proxy.js";
import { spawnCli } from "./spawn-cli.js";

let sim: RunningSimulator;
let proxy: HoldProxy;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scanDurationMs: 1500 });
  proxy = await startHoldProxy(sim.url);
});
afterAll(async () => {
  await proxy?.close();
  await sim?.close();
});
beforeEach(() => {
  sim.control.reset();
  sim.control.setFaults({ rate: 0 });
});

/** When to send SIGTERM: when a request matching `hold` arrives (and is kept unanswered), or a stderr line. */
interface Moment {
  hold?: (req: SeenRequest) => boolean;
  line?: RegExp;
  /** While the outputs are written: $GITHUB_STEP_SUMMARY is a FIFO that blocks the writer until read. */
  writing?: boolean;
}

/** How long the run may take from SIGTERM to exit. The mechanism itself takes well under a second. */
const WITHIN_MS = 10_000;

async function interrupted(args: string[], moment: Moment) {
  const dir = tempDir("gate-signal-");
  const fifo = path.join(dir, "step-summary.fifo");
  if (moment.writing) execFileSync("mkfifo", [fifo]);
  let child: ChildProcess | undefined;
  let killedAt: number | undefined;
  let drained: Promise<string> | undefined;
  const fire = () => {
    if (killedAt !== undefined || !child) return;
    killedAt = performance.now();
    child.kill("SIGTERM");
    // Unblock the writer only after the signal is on its way.
    if (moment.writing) drained = readFile(fifo, "utf8");
  };
  if (moment.hold) void proxy.hold(moment.hold).then(fire);
  const run = await spawnCli(
    [...args, "--report-dir", dir],
    {
      QUALYS_API_URL: proxy.url,
      QUALYS_USERNAME: "sim_user",
      QUALYS_PASSWORD: "sim-password",
      ...(moment.writing ? { GITHUB_STEP_SUMMARY: fifo } : {}),
    },
    "",
    {
      onSpawn: (c) => {
        child = c;
      },
      onStderr: (stderr) => {
        if (moment.line?.test(stderr)) fire();
      },
    },
  );
  const exitedAt = performance.now();
  if (drained) {
    // A reader still waiting (the child ended without writing the summary) gets its end of file from a writer
    // opened here; when the child wrote it, nobody waits and the open fails, which is fine.
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // The summary was read.
    }
  }
  const summary = drained ? await drained : undefined;
  expect(killedAt, `the moment came: ${run.stderr}`).toBeDefined();
  return { run, dir, ms: exitedAt - (killedAt ?? exitedAt), summary };
}

const wasScan = (id: string | undefined) => sim.control.world.wasScans.get(Number(id));
const vmScan = (ref: string | undefined) =>
  [...sim.control.world.vmScans.values()].find((s) => s.ref === ref);
const isPath = (part: string) => (req: SeenRequest) => req.path.includes(part);
const vmAction = (action: string) => (req: SeenRequest) =>
  req.path.startsWith("/api/2.0/fo/scan/") && req.body.includes(`action=${action}`);

describe("scan was: SIGTERM at any moment ends within 10 s, outputs written, exit 2", () => {
  const was = (webApp: string, ...more: string[]) => ["scan", "was", "--webapp", webApp, ...more];

  it("before the launch (the running-scans search in flight): nothing launched", async () => {
    const before = sim.control.world.wasScans.size;
    const { run, dir, ms } = await interrupted(was("scenario-slow"), {
      hold: isPath("/search/was/wasscan"),
    });
    expect(run.code, run.stderr).toBe(2);
    expect(ms).toBeLessThan(WITHIN_MS);
    const { result } = await readOutputs(dir);
    expect(result.reason).toBe(
      "incomplete: SIGTERM received before the scan was launched; nothing was launched",
    );
    expect(sim.control.world.wasScans.size).toBe(before);
  });

  it("while polling (in the default 5-minute poll sleep): the scan is cancelled", async () => {
    const { run, dir, ms } = await interrupted(was("scenario-slow"), { line: /scan \d+: [A-Z]+ \(/ });
    expect(run.code, run.stderr).toBe(2);
    expect(ms).toBeLessThan(WITHIN_MS);
    const { result } = await readOutputs(dir);
    expect(result.reason).toMatch(/^incomplete: SIGTERM received while polling; scan \d+ cancelled$/);
    expect(wasScan(result.scan?.id)?.status).toBe("CANCELED");
  });

  it("while polling, with --db: the same exit and outputs, and the incomplete verdict recorded", async () => {
    const location = `sqlite:${path.join(tempDir("gate-signal-db-"), "runs.db")}`;
    const { run, dir, ms } = await interrupted(was("scenario-slow", "--db", location), {
      line: /scan \d+: [A-Z]+ \(/,
    });
    expect(run.code, run.stderr).toBe(2);
    expect(ms).toBeLessThan(WITHIN_MS);
    const { result } = await readOutputs(dir);
    expect(result.reason).toMatch(/^incomplete: SIGTERM received while polling; scan \d+ cancelled$/);
    const store = await openStore(location);
    try {
      const [recorded] = await store.listGateRuns({ limit: 10 });
      expect(recorded).toMatchObject({ verdict: "incomplete", exitCode: 2, scanId: result.scan?.id });
    } finally {
      await store.close();
    }
  });

  it("while a status call hangs: it is stopped, the scan is cancelled", async () => {
    const { run, dir, ms } = await interrupted(was("scenario-slow"), {
      hold: isPath("/status/was/wasscan/"),
    });
    expect(run.code, run.stderr).toBe(2);
    expect(ms).toBeLessThan(WITHIN_MS);
    const { result } = await readOutputs(dir);
    expect(result.reason).toMatch(/^incomplete: SIGTERM received while polling; scan \d+ cancelled$/);
    expect(wasScan(result.scan?.id)?.status).toBe("CANCELED");
  });

  it("while downloading the results: the finished scan is left as it is", async () => {
    const { run, dir, ms } = await interrupted(was("scenario-clean", "--poll-interval", "1s"), {
      hold: isPath("/download/was/wasscan/"),
    });
    expect(run.code, run.stderr).toBe(2);
    expect(ms).toBeLessThan(WITHIN_MS);
    const { result } = await readOutputs(dir);
    expect(result.reason).toMatch(/^incomplete: SIGTERM received while downloading the results of scan \d+$/);
    expect(wasScan(result.scan?.id)?.status).toBe("FINISHED");
  });

  it("while writing the outputs: they are all written, then exit 2", async () => {
    const { run, dir, ms, summary } = await interrupted(was("scenario-clean", "--poll-interval", "1s"), {
      line: /writing the outputs to /,
      writing: true,
    });
    expect(run.code, run.stderr).toBe(2);
    expect(ms).toBeLessThan(WITHIN_MS);
    expect(run.stderr).toContain("SIGTERM received after the outputs were written; exiting 2");
    const { result } = await readOutputs(dir);
    expect(summary).toContain("Qualys WAS gate");
    expect(wasScan(result.scan?.id)?.status).toBe("FINISHED");
  });
});

describe("scan vm: SIGTERM at any moment ends within 10 s, outputs written, exit 2", () => {
  const vm = (ip: string, ...more: string[]) => ["scan", "vm", "--ip", ip, ...more];

  it("before the launch (the option profile list in flight): nothing launched", async () => {
    const before = sim.control.world.vmScans.size;
    const { run, dir, ms } = await interrupted(vm("10.250.0.5"), {
      hold: isPath("/api/2.0/fo/subscription/option_profile/"),
    });
    expect(run.code, run.stderr).toBe(2);
    expect(ms).toBeLessThan(WITHIN_MS);
    const { result } = await readOutputs(dir);
    expect(result.reason).toBe(
      "incomplete: SIGTERM received before the scan was launched; nothing was launched",
    );
    expect(sim.control.world.vmScans.size).toBe(before);
  });

  it("while polling (in the default 5-minute poll sleep): the scan is cancelled", async () => {
    const { run, dir, ms } = await interrupted(vm("10.250.0.5"), { line: /scan scan\/\S+: \w+/ });
    expect(run.code, run.stderr).toBe(2);
    expect(ms).toBeLessThan(WITHIN_MS);
    const { result } = await readOutputs(dir);
    expect(result.reason).toMatch(/^incomplete: SIGTERM received while polling; scan scan\/\S+ cancelled$/);
    expect(vmScan(result.scan?.id)?.state).toBe("Canceled");
  });

  it("while a status call hangs: it is stopped, the scan is cancelled", async () => {
    const { run, dir, ms } = await interrupted(vm("10.250.0.5"), { hold: vmAction("list") });
    expect(run.code, run.stderr).toBe(2);
    expect(ms).toBeLessThan(WITHIN_MS);
    const { result } = await readOutputs(dir);
    expect(result.reason).toMatch(/^incomplete: SIGTERM received while polling; scan scan\/\S+ cancelled$/);
    expect(vmScan(result.scan?.id)?.state).toBe("Canceled");
  });

  it("while fetching the results: the finished scan is left as it is", async () => {
    const { run, dir, ms } = await interrupted(vm("10.250.0.1", "--poll-interval", "1s"), {
      hold: vmAction("fetch"),
    });
    expect(run.code, run.stderr).toBe(2);
    expect(ms).toBeLessThan(WITHIN_MS);
    const { result } = await readOutputs(dir);
    expect(result.reason).toMatch(
      /^incomplete: SIGTERM received while downloading the results of scan scan\/\S+$/,
    );
    expect(vmScan(result.scan?.id)?.state).toBe("Finished");
  });

  it("while writing the outputs: they are all written, then exit 2", async () => {
    const { run, dir, ms, summary } = await interrupted(vm("10.250.0.1", "--poll-interval", "1s"), {
      line: /writing the outputs to /,
      writing: true,
    });
    expect(run.code, run.stderr).toBe(2);
    expect(ms).toBeLessThan(WITHIN_MS);
    expect(run.stderr).toContain("SIGTERM received after the outputs were written; exiting 2");
    await readOutputs(dir);
    expect(summary).toContain("Qualys VM gate");
  });
});

describe("a second signal", () => {
  it("stops a cancel call that hangs and writes the outputs at once, exit 2", async () => {
    const dir = tempDir("gate-signal-");
    let child: ChildProcess | undefined;
    let first = false;
    let secondAt: number | undefined;
    // The cancel call never answers: without the second signal it would run into its own 5 s deadline.
    void proxy.hold(isPath("/cancel/was/wasscan/")).then(() => {
      secondAt = performance.now();
      child?.kill("SIGTERM");
    });
    const run = await spawnCli(
      ["scan", "was", "--webapp", "scenario-slow", "--report-dir", dir],
      { QUALYS_API_URL: proxy.url, QUALYS_USERNAME: "sim_user", QUALYS_PASSWORD: "sim-password" },
      "",
      {
        onSpawn: (c) => {
          child = c;
        },
        onStderr: (stderr, c) => {
          if (!first && /scan \d+: [A-Z]+ \(/.test(stderr)) {
            first = true;
            c.kill("SIGTERM");
          }
        },
      },
    );
    const ms = performance.now() - (secondAt ?? 0);
    expect(secondAt, run.stderr).toBeDefined();
    expect(run.code, run.stderr).toBe(2);
    expect(ms).toBeLessThan(WITHIN_MS);
    expect(run.stderr).toContain("SIGTERM received again: writing the outputs now");
    const { result } = await readOutputs(dir);
    // The force signal, not the cancel call's own deadline, ended the call.
    expect(result.warnings.join("\n")).toMatch(
      /could not cancel scan \d+: .*stopped \(SIGTERM received again\)/,
    );
    expect(result.reason).toMatch(
      /^incomplete: SIGTERM received while polling; scan \d+ may still be running \(cancel failed\)$/,
    );
  });
});
