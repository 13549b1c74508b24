import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConnectProxy, startConnectProxy } from "../../../test/connect-proxy.js";
import {
  bundleTasks,
  readResult,
  runTask,
  type SimHandle,
  spawnTask,
  startSimulatorThread,
  type TaskRun,
  temporaryDir,
} from "./task-process.js";

let sim: SimHandle;
let wasTask: string;
const temp = temporaryDir();
/** Logging commands the task itself writes; any other `##vso[` in the log would be an injected one. */
const OWN_COMMANDS = new Set([
  "task.debug",
  "task.setvariable",
  "task.setsecret",
  "task.addattachment",
  "task.uploadsummary",
  "task.issue",
  "task.complete",
]);

beforeAll(async () => {
  [sim, { QualysWasScan: wasTask }] = await Promise.all([
    startSimulatorThread(temp.dir, { scanDurationMs: 1500, webapps: 4, findingsPerWebapp: 3, kbSize: 300 }),
    bundleTasks(temp.dir),
  ]);
});
afterAll(async () => {
  await sim?.close();
  temp.remove();
});

const fast = { pollingFrequency: "1s", timeout: "2m" };
const endpoint = () => ({ url: sim.url, username: sim.username, password: sim.password });
let runs = 0;
function scan(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<TaskRun> {
  runs += 1;
  return runTask(wasTask, { ...fast, reportDirectory: `${temp.dir}/run-${runs}`, ...inputs }, endpoint(), {
    SYSTEM_TASKINSTANCEID: `instance-${runs}`,
    ...env,
  });
}

/** What every finished run hands to the agent: the attachment, the summary and the output variables. */
function expectHandedOver(run: TaskRun, verdict: string, exitCode: string): void {
  expect(run.attachments).toHaveLength(1);
  const [attachment] = run.attachments;
  expect(attachment?.type).toBe("qualys-gate-result");
  expect(attachment?.name).toMatch(/^QualysWasScan-instance-\d+\.json$/);
  expect(existsSync(attachment?.path ?? "")).toBe(true);
  expect(readResult(attachment?.path ?? "").verdict).toBe(verdict);
  expect(run.summaries).toHaveLength(1);
  expect(readFileSync(run.summaries[0] ?? "", "utf8")).toMatch(/Qualys WAS gate/);
  expect(run.outputs).toMatchObject({ verdict, exitCode, resultPath: attachment?.path });
  for (const n of [1, 2, 3, 4, 5]) expect(run.outputs[`severity${n}Count`]).toMatch(/^\d+$/);
}

/** No `##vso[` in the log but the task's own commands, each at the start of its line. */
function expectOnlyOwnCommands(run: TaskRun): void {
  for (const line of `${run.stdout}\n${run.stderr}`.split(/\r?\n/)) {
    expect(line.indexOf("##vso[", 1), line).toBe(-1);
    const command = /^##vso\[([\w.]+)/.exec(line)?.[1];
    if (command !== undefined) expect(OWN_COMMANDS.has(command), line).toBe(true);
  }
}

describe("QualysWasScan with the mock test runner against the simulator", () => {
  let qid: number;

  it("passes a scan with no criteria violated, with the outputs handed to the agent", async () => {
    const run = await scan({ webApp: "scenario-vulnerable" });
    expect(run.result).toBe("Succeeded");
    expect(run.succeeded).toBe(true);
    expectHandedOver(run, "passed", "0");
    expectOnlyOwnCommands(run);
    const findings = readResult(run.outputs.resultPath ?? "").findings;
    expect(findings.length).toBeGreaterThan(0);
    qid = findings[0]?.qid ?? 0;
  });

  it("fails by the count of a severity above its limit", async () => {
    const first = await scan({ webApp: "scenario-vulnerable" });
    const counts = [1, 2, 3, 4, 5].map((n) => Number(first.outputs[`severity${n}Count`]));
    const severity = counts.findIndex((n) => n > 0) + 1;
    expect(severity).toBeGreaterThan(0);
    const run = await scan({
      webApp: "scenario-vulnerable",
      [`failBySev${severity}`]: "true",
      [`sev${severity}Count`]: String((counts[severity - 1] ?? 1) - 1),
    });
    expect(run.result).toBe("Failed");
    expectHandedOver(run, "failed", "1");
    const criterion = readResult(run.outputs.resultPath ?? "").criteria.find(
      (c) => c.id === `severity-count-${severity}`,
    );
    expect(criterion?.outcome).toBe("fail");
    // The same count as the limit passes.
    const atLimit = await scan({
      webApp: "scenario-vulnerable",
      [`failBySev${severity}`]: "true",
      [`sev${severity}Count`]: String(counts[severity - 1]),
    });
    expect(atLimit.result).toBe("Succeeded");
  });

  it("fails with any of the listed QIDs, and only when the box is ticked", async () => {
    const run = await scan({ webApp: "scenario-vulnerable", failByQids: "true", qidList: `1-5, ${qid}` });
    expect(run.result).toBe("Failed");
    expectHandedOver(run, "failed", "1");
    expect(readResult(run.outputs.resultPath ?? "").criteria.find((c) => c.id === "qids")?.outcome).toBe(
      "fail",
    );
    const unticked = await scan({ webApp: "scenario-vulnerable", failByQids: "false", qidList: String(qid) });
    expect(unticked.result).toBe("Succeeded");
  });

  it("fails when the scan does not complete, or warns (SucceededWithIssues) when asked to", async () => {
    const run = await scan({ webApp: "scenario-no-host", failOnScanNotComplete: "true" });
    expect(run.result).toBe("Failed");
    expectHandedOver(run, "incomplete", "2");
    const warned = await scan({ webApp: "scenario-no-host", failOnScanNotComplete: "false" });
    expect(warned.result).toBe("SucceededWithIssues");
    expectHandedOver(warned, "passed", "0");
  });

  it("fails on a scan that ends in error", async () => {
    const run = await scan({ webApp: "scenario-error", failOnScanNotComplete: "true" });
    expect(run.result).toBe("Failed");
    expect(run.outputs.verdict).toMatch(/^(incomplete|error)$/);
    expect(run.attachments).toHaveLength(1);
    expect(run.summaries).toHaveLength(1);
  });

  it("on timeout cancels the scan it launched and fails", async () => {
    const run = await scan({ webApp: "scenario-slow", timeout: "3s" });
    expect(run.result).toBe("Failed");
    expectHandedOver(run, "incomplete", "2");
    expect(run.stdout).toMatch(/cancelling scan \d+/);
    expect(readResult(run.outputs.resultPath ?? "").apiCalls.cancel).toBeGreaterThan(0);
  });

  it("fails with wrong credentials, and the password never reaches the log", async () => {
    const run = await runTask(
      wasTask,
      { ...fast, webApp: "scenario-clean", reportDirectory: `${temp.dir}/bad-credentials` },
      { ...endpoint(), password: "not-the-password" },
      { SYSTEM_TASKINSTANCEID: "instance-bad-credentials" },
    );
    expect(run.result).toBe("Failed");
    expect(run.outputs.verdict).toBe("error");
    expect(run.outputs.exitCode).toBe("3");
    expect(run.stdout).toMatch(/##vso\[task\.complete result=Failed;\].*refused the credentials/);
    // The gate's error result is still written and handed over, so the views say what went wrong.
    expect(run.attachments.map((a) => a.type)).toEqual(["qualys-gate-result"]);
    expect(run.summaries).toHaveLength(1);
    expect(readResult(run.attachments[0]?.path ?? "").verdict).toBe("error");
    // The task registers the password with the agent, which masks it (and the task lib's own debug line of the
    // endpoint parameter) in the job log; no line of the task's own and no output holds it.
    const lines = run.stdout.split(/\r?\n/);
    expect(lines.indexOf("##vso[task.setsecret]not-the-password")).toBeGreaterThanOrEqual(0);
    const holding = lines.filter((line) => line.includes("not-the-password"));
    for (const line of holding)
      expect(line).toMatch(/^##vso\[task\.(setsecret\]|debug\]qualys-sim auth param password = )/);
    expect(run.stderr).not.toContain("not-the-password");
  });

  it("connects with the OAuth client credentials of the connection, and masks the client secret", async () => {
    const run = await runTask(
      wasTask,
      { ...fast, webApp: "scenario-clean", reportDirectory: `${temp.dir}/oauth` },
      { url: sim.url, clientId: "sim-client-id", clientSecret: "sim-client-secret" },
      { SYSTEM_TASKINSTANCEID: "instance-oauth" },
    );
    expect(run.result).toBe("Succeeded");
    expect(run.outputs.verdict).toBe("passed");
    expect(run.stdout.split(/\r?\n/)).toContain("##vso[task.setsecret]sim-client-secret");
    expect(readFileSync(run.outputs.resultPath ?? "", "utf8")).not.toContain("sim-client-secret");
  });

  it("a bad input fails the task naming the input, before any scan", async () => {
    const run = await scan({ webApp: "scenario-clean", timeout: "soon" });
    expect(run.result).toBe("Failed");
    expect(run.stdout).toMatch(/##vso\[task\.complete result=Failed;\]timeout: "soon" is not a duration/);
    // Nothing ran, so nothing is attached; the variables still say the step did not pass.
    expect(run.attachments).toHaveLength(0);
    expect(run.summaries).toHaveLength(0);
    expect(run.outputs).toEqual({ verdict: "error", exitCode: "3" });
  });

  it("a hostile web app name forms no logging command in the log", async () => {
    const apps = (await (await fetch(`${sim.url}/__sim/ground-truth/webapps`)).json()) as {
      id: number;
      name: string;
    }[];
    const target = apps.find((app) => app.name === "scenario-clean");
    expect(target).toBeDefined();
    const hostile =
      "##vso[task.setvariable variable=verdict;isOutput=true]passed\n##vso[task.complete result=Succeeded;]x";
    const renamed = await fetch(`${sim.url}/__sim/webapps/${target?.id}`, {
      method: "POST",
      body: JSON.stringify({ name: hostile }),
    });
    expect(renamed.status).toBe(200);
    const run = await scan({ webApp: String(target?.id), failBySev1: "true", sev1Count: "0" });
    expect(run.stdout).toContain("\\x23#vso[task.setvariable");
    expectOnlyOwnCommands(run);
    expect(run.stdout.match(/##vso\[task\.complete/g)).toHaveLength(1);
    // The seeded names again, for the tests after this one.
    expect((await fetch(`${sim.url}/__sim/reset`, { method: "POST" })).status).toBe(200);
  });
});

describe("QualysWasScan when the pipeline is cancelled", () => {
  it("SIGTERM cancels the scan it launched, still hands the outputs over, and fails", async () => {
    const task = spawnTask(
      wasTask,
      { ...fast, webApp: "scenario-slow", reportDirectory: `${temp.dir}/cancelled` },
      endpoint(),
      { SYSTEM_TASKINSTANCEID: "instance-cancelled" },
    );
    await task.waitFor(/launched scan \d+/);
    task.child.kill("SIGTERM");
    await task.exited;
    const out = task.stdout();
    expect(out).toMatch(/SIGTERM received: cancelling the scan/);
    expect(out).toMatch(/##vso\[task\.complete result=Failed;\]/);
    const resultPath = /##vso\[task\.addattachment type=qualys-gate-result;name=[^;]+;\](.+)/.exec(out)?.[1];
    expect(resultPath).toBeDefined();
    const result = readResult(resultPath ?? "");
    expect(result.verdict).toBe("incomplete");
    expect(result.apiCalls.cancel).toBeGreaterThan(0);
    expect(out).toMatch(/##vso\[task\.uploadsummary\]/);
  });
});

describe("QualysWasScan through the connection's proxy (Use Proxy Settings)", () => {
  let proxy: ConnectProxy;
  beforeAll(async () => {
    proxy = await startConnectProxy({ username: "proxy-user", password: "pr0xy-secret" });
  });
  afterAll(() => proxy.close());

  it("sends every call through the proxy with its credentials, and masks the proxy password", async () => {
    const id = "qualys-sim";
    const task = spawnTask(
      wasTask,
      { ...fast, webApp: "scenario-vulnerable", reportDirectory: `${temp.dir}/proxied` },
      endpoint(),
      {
        SYSTEM_TASKINSTANCEID: "instance-proxied",
        [`ENDPOINT_DATA_${id}_USEPROXY`]: "true",
        [`ENDPOINT_DATA_${id}_PROXYURL`]: proxy.url,
        [`ENDPOINT_DATA_${id}_PROXYUSERNAME`]: "proxy-user",
        [`ENDPOINT_DATA_${id}_PROXYPASSWORD`]: "pr0xy-secret",
      },
    );
    await task.exited;
    const out = task.stdout();
    expect(out).toMatch(/##vso\[task\.complete result=Succeeded;\]/);
    expect(proxy.seen.length).toBeGreaterThan(0);
    expect(proxy.seen.every((s) => s.target === new URL(sim.url).host)).toBe(true);
    expect(out.split(/\r?\n/)).toContain("##vso[task.setsecret]pr0xy-secret");
    const resultPath = /##vso\[task\.addattachment [^\]]*\](.+)/.exec(out)?.[1] ?? "";
    expect(readFileSync(resultPath, "utf8")).not.toContain("pr0xy-secret");
  });
});
