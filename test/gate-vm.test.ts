/**
 * `scan vm` end to end against the simulator: host IP pass; fail by each criterion; potential vulnerabilities
 * included or not; exclusions by QID and CVE together with spaces; host not alive; Error; EC2 with a connector
 * run (success, disabled, error) and a stopped instance; timeout with cancel; 409s while polling; authentication
 * failure; session login. Each test asserts the exit code and the outputs.
 */

import type { GateFinding } from "@qualys-connector/gate";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lastLine, readOutputs, startCli, tempDir } from "./gate-e2e.js";

let sim: RunningSimulator;
const env = (user = "sim_user", password = "sim-password") => ({
  QUALYS_API_URL: sim.url,
  QUALYS_USERNAME: user,
  QUALYS_PASSWORD: password,
});

async function gate(args: string[], user?: string, password?: string) {
  const dir = tempDir("vm-gate-");
  const run = await startCli(
    ["scan", "vm", "--poll-interval", "1s", "--timeout", "2m", "--report-dir", dir, ...args],
    env(user, password),
  );
  return { run, dir };
}

/** The reference run on the vulnerable host: its confirmed and potential findings. */
let confirmed: GateFinding[];
let potential: GateFinding[];

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scanDurationMs: 1200, connectorRunMs: 800 });
  const { run, dir } = await gate(["--ip", "10.250.0.2", "--include-potential"]);
  expect(run.code, run.stderr).toBe(0);
  const { result } = await readOutputs(dir);
  confirmed = result.findings.filter((f) => !f.potential);
  potential = result.findings.filter((f) => f.potential);
  expect(confirmed.length).toBeGreaterThan(0);
  expect(potential.length).toBeGreaterThan(0);
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  sim.control.reset();
  sim.control.setFaults({ rate: 0 });
});

const bySeverity = (findings: GateFinding[], min: number) => findings.filter((f) => (f.severity ?? 0) >= min);

describe("scan vm: host IPs", () => {
  it("a clean host passes, with the host table and every output", async () => {
    const { run, dir } = await gate(["--ip", "10.250.0.1", "--min-severity", "3", "--fail-on-pci"]);
    expect(run.code, run.stderr).toBe(0);
    const out = await readOutputs(dir);
    expect(out.result).toMatchObject({ verdict: "passed", scan: { kind: "vm", status: "Finished" } });
    expect(out.result.hosts?.map((h) => h.ip)).toEqual(["10.250.0.1"]);
    expect(out.summary).toContain("## PASSED: Qualys VM gate passed");
  });

  it.each([
    ["--min-severity", "4"],
    ["--max-severity-count", "5=0"],
    ["--fail-on-pci", undefined],
    ["--fail-on-cvss", "0.1"],
  ])("fails by %s", async (flag, value) => {
    const { run, dir } = await gate(["--ip", "10.250.0.2", flag, ...(value === undefined ? [] : [value])]);
    expect(run.code, run.stderr).toBe(1);
    const out = await readOutputs(dir);
    expect(out.result.criteria.filter((c) => c.outcome === "fail")).toHaveLength(1);
    expect(out.junit.failures).toBeGreaterThanOrEqual(1);
  });

  it("fails by QIDs and by CVEs, each naming what it found", async () => {
    const withCve = confirmed.find((f) => (f.definition?.cves.length ?? 0) > 0);
    const cve = withCve?.definition?.cves[0] ?? "";
    expect(cve).toMatch(/^CVE-/);
    const { run, dir } = await gate([
      "--ip",
      "10.250.0.2",
      "--fail-on-qids",
      `${confirmed[0]?.qid}`,
      "--fail-on-cves",
      ` ${cve} , CVE-1999-0001`,
    ]);
    expect(run.code).toBe(1);
    const out = await readOutputs(dir);
    expect(out.result.criteria.find((c) => c.id === "qids")).toMatchObject({ outcome: "fail" });
    expect(out.result.criteria.find((c) => c.id === "cves")?.actual).toContain(cve);
  });

  it("CVSS version 2, 3 or the higher of both", async () => {
    const v3 = Math.max(...confirmed.map((f) => f.definition?.cvssV3Base ?? 0));
    const passing = await gate([
      "--ip",
      "10.250.0.2",
      "--fail-on-cvss",
      String(v3 + 0.1),
      "--cvss-version",
      "3",
    ]);
    expect(passing.run.code, passing.run.stderr).toBe(0);
    const failing = await gate(["--ip", "10.250.0.2", "--fail-on-cvss", String(v3), "--cvss-version", "3"]);
    expect(failing.run.code).toBe(1);
  });

  it("potential vulnerabilities count only with --include-potential", async () => {
    const sev = Math.max(...potential.map((f) => f.severity ?? 0));
    const confirmedAtSev = bySeverity(confirmed, sev).length;
    const without = await gate(["--ip", "10.250.0.2", "--min-severity", String(sev)]);
    const out = await readOutputs(without.dir);
    expect(out.result.criteria[0]?.findings).toHaveLength(confirmedAtSev);
    expect(out.result.findings.filter((f) => f.disposition === "potential")).toHaveLength(potential.length);
    // The counts say the same: potential detections are not counted, and shown apart.
    const counted = out.result.severityCounts.counted;
    expect(counted.reduce((a, b) => a + b, 0)).toBe(confirmed.length);
    expect(out.result.severityCounts.notCounted.potential.reduce((a, b) => a + b, 0)).toBe(potential.length);
    expect(out.summary).toContain("| Severity | Level | Counted | Potential, not evaluated |");
    const withPotential = await gate([
      "--ip",
      "10.250.0.2",
      "--min-severity",
      String(sev),
      "--include-potential",
    ]);
    expect(withPotential.run.code).toBe(1);
    const outWith = await readOutputs(withPotential.dir);
    expect(outWith.result.criteria[0]?.findings).toHaveLength(
      confirmedAtSev + bySeverity(potential, sev).length,
    );
  });

  it("exclusions by QID and by CVE work together, with spaces in the lists", async () => {
    const high = bySeverity(confirmed, 4);
    const byCve = high.filter((f) => (f.definition?.cves.length ?? 0) > 0);
    const byQid = high.filter((f) => !byCve.includes(f));
    const cves = byCve.map((f) => f.definition?.cves[0]).join(" , ");
    const qids = byQid.map((f) => f.qid).join(" , ");
    const args = ["--ip", "10.250.0.2", "--min-severity", "4", "--exclude-cves", ` ${cves} `];
    if (qids) args.push("--exclude-qids", ` ${qids} `);
    else args.push("--exclude-qids", " 1 , 2 ");
    const { run, dir } = await gate(args);
    expect(run.code, run.stderr).toBe(0);
    const out = await readOutputs(dir);
    expect(out.result.findings.filter((f) => f.disposition === "excluded")).toHaveLength(high.length);
  });

  it("a host that is not alive is incomplete (exit 2)", async () => {
    const { run, dir } = await gate(["--ip", "10.250.0.3", "--min-severity", "5"]);
    expect(run.code).toBe(2);
    expect(lastLine(run)).toMatch(
      /^incomplete: scan scan\/\S+ finished but the host was not alive \(SUB_STATE No_Host\)$/,
    );
    expect((await readOutputs(dir)).result.incomplete?.handling).toBe("fail");
  });

  it("a scan that ends Error is incomplete (exit 2), its criteria not evaluated", async () => {
    const { run, dir } = await gate(["--ip", "10.250.0.4", "--min-severity", "4"]);
    expect(run.code).toBe(2);
    expect(lastLine(run)).toMatch(/ended Error$/);
    const out = await readOutputs(dir);
    expect(out.result.criteria[0]).toMatchObject({ id: "min-severity", outcome: "not-evaluated" });
    expect(out.summary).toContain("| NOT EVALUATED |");
    expect(out.summary).not.toContain("No vulnerabilities were found");
    expect(out.junit.testsuite?.[0]?.skipped).toBe(1);
  });

  it("times out, cancels the scan, exit 2", async () => {
    const { run, dir } = await gate(["--ip", "10.250.0.5", "--timeout", "3s"]);
    expect(run.code).toBe(2);
    const out = await readOutputs(dir);
    expect(out.result.reason).toMatch(
      /^incomplete: timed out after 3s while polling; scan scan\/\S+ cancelled$/,
    );
    const scan = [...sim.control.world.vmScans.values()].find((s) => s.ref === out.result.scan?.id);
    expect(scan?.state).toBe("Canceled");
  });

  it("409 concurrency answers while polling are waited out, not failures", async () => {
    sim.control.setFaults({ rate: 0.4, kinds: ["409"] });
    const { run, dir } = await gate([
      "--ip",
      "10.250.0.2",
      "--min-severity",
      "4",
      "--max-poll-failures",
      "1",
    ]);
    sim.control.setFaults({ rate: 0 });
    expect(run.code, run.stderr).toBe(1);
    expect((await readOutputs(dir)).result.criteria[0]).toMatchObject({
      id: "min-severity",
      outcome: "fail",
    });
    expect(Object.values(sim.control.stats().byEndpoint).some((byStatus) => (byStatus["409"] ?? 0) > 0)).toBe(
      true,
    );
  });

  it("logs in once with a VM session and logs out at the end", async () => {
    const { run } = await gate(["--ip", "10.250.0.1"]);
    expect(run.code).toBe(0);
    const byEndpoint = sim.control.stats().byEndpoint;
    const sessionKey = Object.keys(byEndpoint).find((key) => key.includes("/fo/session"));
    // One login and one logout; every other v2 call rode on the session cookie.
    expect(sessionKey && byEndpoint[sessionKey]?.["200"]).toBe(2);
  });

  it("--no-wait prints the reference; --scan-ref gates it later", async () => {
    const launched = await gate(["--ip", "10.250.0.2", "--no-wait"]);
    expect(launched.run.code, launched.run.stderr).toBe(0);
    const ref = lastLine(launched.run);
    expect(ref).toMatch(/^scan\/\d+\.\d+$/);
    const gated = await gate(["--scan-ref", ref, "--min-severity", "4"]);
    expect(gated.run.code, gated.run.stderr).toBe(1);
    const out = await readOutputs(gated.dir);
    expect(out.result.apiCalls.launch).toBeUndefined();
    // The hosts of a scan gated by reference come from the scan itself.
    expect(out.result.scan?.target.id).toBe("10.250.0.2");
    expect(out.summary).toContain("- **Hosts:** 10.250.0.2\n");
    expect(out.result.hosts?.map((h) => h.ip)).toEqual(["10.250.0.2"]);
    // One date format: ISO 8601, UTC, as for WAS scans.
    expect(out.result.scan?.launchedDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });
});

describe("scan vm: EC2 instances", () => {
  const ec2 = (instance: string, connector = "scenario-ec2") => [
    "--ec2-instance",
    instance,
    "--ec2-connector",
    connector,
    "--ec2-endpoint",
    "us-east-1",
  ];

  it("runs the connector, waits for it, then scans the instance", async () => {
    const { run, dir } = await gate([
      ...ec2("i-00000000000000vuln"),
      "--run-connector",
      "--min-severity",
      "5",
    ]);
    expect(run.code, run.stderr).toBe(1);
    const out = await readOutputs(dir);
    expect(out.result.apiCalls).toMatchObject({ "connector-run": 1, launch: 1 });
    expect(out.result.scan?.target.id).toBe("i-00000000000000vuln");
    expect(run.stderr).toMatch(/status: connector FINISHED_SUCCESS|connector FINISHED_SUCCESS/);
  });

  it("a disabled connector is a clear error (exit 3), nothing launched", async () => {
    const { run, dir } = await gate([
      ...ec2("i-0000000000000clean", "scenario-ec2-disabled"),
      "--run-connector",
    ]);
    expect(run.code).toBe(3);
    expect(lastLine(run)).toMatch(/EC2 connector "scenario-ec2-disabled" \(\d+\) is disabled/);
    expect((await readOutputs(dir)).result.apiCalls.launch).toBeUndefined();
  });

  it("a connector run that ends in errors is a clear error (exit 3)", async () => {
    const { run } = await gate([...ec2("i-0000000000000clean", "scenario-ec2-error"), "--run-connector"]);
    expect(run.code).toBe(3);
    expect(lastLine(run)).toContain('EC2 connector "scenario-ec2-error" run ended FINISHED_ERRORS');
  });

  it("an instance that is not running is incomplete (exit 2), nothing launched", async () => {
    const { run, dir } = await gate(ec2("i-000000000000stopped"));
    expect(run.code).toBe(2);
    expect(lastLine(run)).toBe(
      "incomplete: EC2 instance i-000000000000stopped is STOPPED, not running; no scan was launched",
    );
    expect((await readOutputs(dir)).result.apiCalls.launch).toBeUndefined();
  });
});

describe("scan vm: errors and bad input", () => {
  it("wrong credentials: exit 3, outputs written, password nowhere", async () => {
    const { run, dir } = await gate(["--ip", "10.250.0.1"], "sim_user", "not-the-password");
    expect(run.code).toBe(3);
    const out = await readOutputs(dir);
    expect(out.result.verdict).toBe("error");
    for (const text of [run.stdout, run.stderr, JSON.stringify(out.result), out.summary, out.html])
      expect(text).not.toContain("not-the-password");
  });

  it("a user without VM access: exit 3", async () => {
    const { run } = await gate(["--ip", "10.250.0.1"], "sim_was_only");
    expect(run.code).toBe(3);
  });

  it.each([
    [["--ip", "10.250.0.300"], '--ip: "10.250.0.300" is not an IPv4 address or range'],
    [["--ip", "10.250.0.1,,10.250.0.2"], "--ip: entry 2 is empty"],
    [["--ec2-instance", "i-0abc"], "--ec2-instance needs --ec2-connector NAME|ID and --ec2-endpoint REGION"],
    [
      ["--ip", "10.250.0.1", "--exclude-cves", "CVE-2017-1000116, nope"],
      '--exclude-cves: "nope" is not a CVE id',
    ],
    [
      ["--ip", "10.250.0.1", "--fail-on-cvss", "11"],
      '--fail-on-cvss: "11" is not a CVSS base score from 0 to 10',
    ],
    [["--ip", "10.250.0.1", "--cvss-version", "3"], "--cvss-version: needs --fail-on-cvss"],
    [[], "give --ip ADDRESS or --ec2-instance ID"],
  ])("%j exits 3 naming the input", async (args, message) => {
    const before = sim.control.world.vmScans.size;
    const { run } = await gate(args);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(message);
    expect(sim.control.world.vmScans.size).toBe(before);
  });
});
