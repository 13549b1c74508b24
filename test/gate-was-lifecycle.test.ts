/**
 * `scan was` end to end against the simulator: incomplete scans (ERROR, CANCELED, unclean results status),
 * timeouts with and without cancel, SIGTERM while polling, authentication failure, faults while polling,
 * --no-wait / --scan-id and --on-running. Each test asserts the exit code and the outputs.
 */

import { createQualysClient } from "@qualys-connector/client";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lastLine, readOutputs, startCli, tempDir } from "./gate-e2e.js";

let sim: RunningSimulator;
const env = (user = "sim_user", password = "sim-password") => ({
  QUALYS_API_URL: sim.url,
  QUALYS_USERNAME: user,
  QUALYS_PASSWORD: password,
});
const FAST = ["--poll-interval", "1s", "--timeout", "2m"];

async function gate(args: string[], dir = tempDir(), user?: string, password?: string) {
  const run = await startCli(["scan", "was", ...FAST, "--report-dir", dir, ...args], env(user, password));
  return { run, dir };
}

const scanStatus = (id: string | undefined) => sim.control.world.wasScans.get(Number(id))?.status;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scanDurationMs: 1200 });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  sim.control.reset();
  sim.control.setFaults({ rate: 0 });
});

describe("scan was: incomplete scans exit 2", () => {
  it.each([
    ["scenario-error", "ended ERROR (results status SCAN_INTERNAL_ERROR)"],
    ["scenario-canceled", "was canceled (results status CANCELED)"],
    [
      "scenario-no-host",
      "finished with results status NO_HOST_ALIVE: the web application's host did not answer",
    ],
    ["scenario-time-limit", "finished with results status TIME_LIMIT_EXCEEDED: the scan hit its time limit"],
  ])("%s", async (webApp, reason) => {
    const { run, dir } = await gate(["--webapp", webApp, "--min-severity", "5"]);
    expect(run.code, run.stderr).toBe(2);
    expect(lastLine(run)).toMatch(/^incomplete: scan \d+ /);
    expect(lastLine(run)).toContain(reason);
    const out = await readOutputs(dir);
    expect(out.result).toMatchObject({ verdict: "incomplete", exitCode: 2 });
    expect(out.result.incomplete?.handling).toBe("fail");
    expect(out.result.criteria.at(-1)).toMatchObject({ id: "scan-complete", outcome: "fail" });
    expect(out.junit.failures).toBeGreaterThanOrEqual(1);
    expect(out.summary).toContain("incomplete");
  });

  it("--on-incomplete warn is the only way to pass an incomplete scan, and it says so", async () => {
    const { run, dir } = await gate(["--webapp", "scenario-error", "--on-incomplete", "warn"]);
    expect(run.code, run.stderr).toBe(0);
    expect(lastLine(run)).toMatch(
      /^passed: .*the scan was incomplete \(scan \d+ ended ERROR.*--on-incomplete warn let it pass$/,
    );
    expect((await readOutputs(dir)).result.incomplete?.handling).toBe("warn");
  });

  it("a scan that ended ERROR leaves its criteria not evaluated in every output, never passed", async () => {
    const { run, dir } = await gate([
      "--webapp",
      "scenario-error",
      "--max-severity-count",
      "5=0",
      "--on-incomplete",
      "warn",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(lastLine(run)).toMatch(/^passed: 1 criterion checked, 1 not evaluated \(severity-count-5\)/);
    const out = await readOutputs(dir);
    expect(out.result.resultsAvailable).toBe(false);
    expect(out.result.criteria[0]).toMatchObject({ id: "severity-count-5", outcome: "not-evaluated" });
    expect(out.summary).toMatch(/\| NOT EVALUATED \| Severity 5 \(Urgent\) vulnerabilities/);
    expect(out.summary).not.toContain("| PASS |");
    expect(out.summary).not.toContain("No vulnerabilities were found");
    expect(out.html).not.toContain("No vulnerabilities were found");
    expect(out.junit.testsuite?.[0]?.skipped).toBe(1);
  });
});

describe("scan was: long scans", () => {
  it("times out, cancels the remote scan, exit 2", async () => {
    const { run, dir } = await gate(["--webapp", "scenario-slow", "--timeout", "3s"]);
    expect(run.code, run.stderr).toBe(2);
    const out = await readOutputs(dir);
    expect(out.result.reason).toMatch(/^incomplete: timed out after 3s while polling; scan \d+ cancelled$/);
    expect(scanStatus(out.result.scan?.id)).toBe("CANCELED");
    expect(out.result.apiCalls.cancel).toBe(1);
  });

  it("--on-timeout leave leaves it running and says how to gate it later", async () => {
    const { run, dir } = await gate([
      "--webapp",
      "scenario-slow",
      "--timeout",
      "3s",
      "--on-timeout",
      "leave",
    ]);
    expect(run.code).toBe(2);
    const out = await readOutputs(dir);
    expect(out.result.reason).toContain(
      `left running (--on-timeout leave); gate it later with --scan-id ${out.result.scan?.id}`,
    );
    expect(scanStatus(out.result.scan?.id)).toBe("RUNNING");
  });

  it("SIGTERM while polling cancels the scan, writes every output, exit 2", async () => {
    const dir = tempDir();
    let sent = false;
    const run = await startCli(
      ["scan", "was", "--webapp", "scenario-slow", "--poll-interval", "1s", "--report-dir", dir],
      env(),
      (stderr, child) => {
        if (!sent && /scan \d+: RUNNING/.test(stderr)) {
          sent = true;
          child.kill("SIGTERM");
        }
      },
    );
    expect(sent).toBe(true);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain("SIGTERM received: cancelling the scan and writing the outputs");
    const out = await readOutputs(dir);
    expect(out.result.reason).toMatch(/^incomplete: SIGTERM received while polling; scan \d+ cancelled$/);
    expect(scanStatus(out.result.scan?.id)).toBe("CANCELED");
  });

  it("--no-wait launches and prints the id; --scan-id gates it in another job", async () => {
    const dir = tempDir();
    const launched = await startCli(
      ["scan", "was", "--webapp", "scenario-clean", "--no-wait", "--report-dir", dir],
      env(),
    );
    expect(launched.code, launched.stderr).toBe(0);
    const scanId = lastLine(launched);
    expect(scanId).toMatch(/^\d+$/);
    expect(launched.stderr).toContain(`gate it later with: qualys-connector scan was --scan-id ${scanId}`);
    const gated = await gate(["--scan-id", scanId, "--max-severity-count", "5=0"]);
    expect(gated.run.code, gated.run.stderr).toBe(0);
    const out = await readOutputs(gated.dir);
    expect(out.result.scan).toMatchObject({ id: scanId, status: "FINISHED" });
    expect(out.result.scan?.target.name).toBe("scenario-clean");
    expect(out.result.apiCalls.launch).toBeUndefined();
  });
});

describe("scan was: a scan already running on the web app", () => {
  it("--on-running attach (default) gates the running scan", async () => {
    const { run, dir } = await gate([
      "--webapp",
      "scenario-running",
      "--timeout",
      "2s",
      "--on-timeout",
      "leave",
    ]);
    expect(run.code).toBe(2);
    const out = await readOutputs(dir);
    expect(out.result.warnings.join("\n")).toMatch(
      /already had scan \d+ running; gating on it \(--on-running attach\)/,
    );
    expect(out.result.apiCalls.launch).toBeUndefined();
  });

  it("--on-running fail ends incomplete without launching", async () => {
    const before = sim.control.world.wasScans.size;
    const { run } = await gate(["--webapp", "scenario-running", "--on-running", "fail"]);
    expect(run.code).toBe(2);
    expect(lastLine(run)).toMatch(/already has scan \d+ running \(--on-running fail\)$/);
    expect(sim.control.world.wasScans.size).toBe(before);
  });

  it("--on-running cancel cancels it, then launches", async () => {
    const running = [...sim.control.world.wasScans.values()].find((s) => s.status === "RUNNING");
    const { run, dir } = await gate([
      "--webapp",
      "scenario-running",
      "--on-running",
      "cancel",
      "--timeout",
      "2s",
      "--on-timeout",
      "leave",
    ]);
    expect(run.code).toBe(2);
    const out = await readOutputs(dir);
    expect(out.result.apiCalls.launch).toBe(1);
    expect(scanStatus(String(running?.id))).toBe("CANCELED");
    expect(out.result.scan?.id).not.toBe(String(running?.id));
  });
});

describe("scan was: errors exit 3 and still write every output", () => {
  it("wrong credentials", async () => {
    const { run, dir } = await gate(["--webapp", "scenario-clean"], tempDir(), "sim_user", "wrong-password");
    expect(run.code).toBe(3);
    const out = await readOutputs(dir);
    expect(out.result).toMatchObject({ verdict: "error", exitCode: 3 });
    expect(out.result.error?.kind).toBe("auth");
    for (const text of [run.stdout, run.stderr, JSON.stringify(out.result), out.summary, out.html])
      expect(text).not.toContain("wrong-password");
  });

  it("a user without WAS access", async () => {
    const { run, dir } = await gate(["--webapp", "scenario-clean"], tempDir(), "sim_vm_only");
    expect(run.code).toBe(3);
    expect((await readOutputs(dir)).result.error?.kind).toBe("auth");
  });

  it("a WAS-only user gates without the KnowledgeBase, with a warning", async () => {
    const { run, dir } = await gate(
      ["--webapp", "scenario-vulnerable", "--min-severity", "5"],
      tempDir(),
      "sim_was_only",
    );
    expect(run.code, run.stderr).toBe(1);
    expect((await readOutputs(dir)).result.warnings.join("\n")).toContain("KnowledgeBase unavailable");
  });

  it("faults while polling are retried: the verdict is the same as without faults", async () => {
    sim.control.setFaults({ rate: 0.3, kinds: ["500", "503", "reset", "html", "malformed"] });
    const { run, dir } = await gate(["--webapp", "scenario-vulnerable", "--min-severity", "5"]);
    sim.control.setFaults({ rate: 0 });
    expect(run.code, run.stderr).toBe(1);
    expect((await readOutputs(dir)).result.criteria[0]).toMatchObject({
      id: "min-severity",
      outcome: "fail",
    });
  });

  it("status calls failing N times in a row end the run with exit 3 and leave the scan to gate later", async () => {
    const client = createQualysClient({
      apiUrl: sim.url,
      auth: { kind: "basic", username: "sim_user", password: "sim-password" },
    });
    const webApp = [...sim.control.world.webApps.values()].find((w) => w.name === "scenario-slow");
    const scanId = await client.was.scan.launch({
      name: "fault-test",
      type: "VULNERABILITY",
      webAppId: webApp?.id ?? 0,
      authRecord: "none",
      scanner: { type: "EXTERNAL" },
    });
    await client.close();
    sim.control.setFaults({ rate: 1, kinds: ["500"] });
    const { run, dir } = await gate([
      "--scan-id",
      String(scanId),
      "--max-poll-failures",
      "2",
      "--max-retries",
      "0",
    ]);
    sim.control.setFaults({ rate: 0 });
    expect(run.code).toBe(3);
    expect(lastLine(run)).toMatch(
      new RegExp(
        `^error: 2 status calls in a row failed \\(last: .*\\); scan ${scanId} was left running; gate it later with --scan-id ${scanId}$`,
      ),
    );
    expect(run.stderr).toContain("status call failed (2/2 in a row)");
    expect((await readOutputs(dir)).result.verdict).toBe("error");
    expect(["SUBMITTED", "RUNNING"]).toContain(scanStatus(String(scanId)));
  });
});
