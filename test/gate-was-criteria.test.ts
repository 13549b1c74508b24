/**
 * `scan was` end to end against the simulator: pass, fail by each criterion, warn-only, exceptions, baseline,
 * bad input, and `evaluate` / `baseline create` offline. Each test asserts the exit code and the outputs.
 */

import { writeFileSync } from "node:fs";
import path from "node:path";
import type { GateResult } from "@qualys-connector/gate";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lastLine, readOutputs, startCli, tempDir } from "./gate-e2e.js";

let sim: RunningSimulator;
const env = () => ({ QUALYS_API_URL: sim.url, QUALYS_USERNAME: "sim_user", QUALYS_PASSWORD: "sim-password" });
const FAST = ["--poll-interval", "1s", "--timeout", "2m"];

async function gate(args: string[], dir = tempDir()) {
  const run = await startCli(["scan", "was", ...FAST, "--report-dir", dir, ...args], env());
  return { run, dir };
}

/** QIDs by severity from an ungated run on scenario-vulnerable. */
let bySeverity: Map<number, number[]>;
let referenceRun: string;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scanDurationMs: 1200 });
  const { run, dir } = await gate(["--webapp", "scenario-vulnerable"]);
  expect(run.code, run.stderr).toBe(0);
  referenceRun = path.join(dir, "result.json");
  const { result } = await readOutputs(dir);
  bySeverity = new Map();
  for (const f of result.findings)
    bySeverity.set(f.severity ?? 0, [...(bySeverity.get(f.severity ?? 0) ?? []), f.qid]);
  expect([...bySeverity.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  sim.control.reset();
});

const count = (severity: number) => bySeverity.get(severity)?.length ?? 0;
const qid = (severity: number) => bySeverity.get(severity)?.[0] ?? 0;

describe("scan was: criteria", () => {
  it("passes a clean web app: exit 0, every output written, SARIF valid, JUnit without failures", async () => {
    const { run, dir } = await gate([
      "--webapp",
      "scenario-clean",
      "--max-severity-count",
      "5=0,4=0",
      "--min-severity",
      "3",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(lastLine(run)).toBe("passed: 4 criteria checked");
    const out = await readOutputs(dir);
    expect(out.result.verdict).toBe("passed");
    expect(out.result.criteria.map((c) => c.outcome)).toEqual(["pass", "pass", "pass", "pass"]);
    expect(out.junit.failures).toBe(0);
    expect(out.junit.tests).toBe(4);
    expect(out.summary).toContain("## PASSED: Qualys WAS gate passed");
    expect(out.result.apiCalls).toMatchObject({ launch: 1, download: 1 });
    expect(out.result.scan?.portalUrl).toMatch(/\/was\/#\/reports\/online-reports\/email-report\/scan\/\d+$/);
  });

  it("fails by severity count (more than X), exit 1, with configured and actual values", async () => {
    const { run, dir } = await gate([
      "--webapp",
      "scenario-vulnerable",
      "--max-severity-count",
      `5=${count(5) - 1},4=${count(4)}`,
    ]);
    expect(run.code, run.stderr).toBe(1);
    const out = await readOutputs(dir);
    expect(out.result.criteria[0]).toMatchObject({
      id: "severity-count-5",
      configured: `> ${count(5) - 1}`,
      actual: String(count(5)),
      outcome: "fail",
    });
    expect(out.result.criteria[1]).toMatchObject({ id: "severity-count-4", outcome: "pass" });
    expect(lastLine(run)).toBe(
      `failed: Severity 5 (Urgent) vulnerabilities: ${count(5)} (configured > ${count(5) - 1})`,
    );
    // One failing criterion test case plus one per finding under it.
    expect(out.junit.failures).toBe(1 + count(5));
    expect(out.sarif.runs[0]?.results.length).toBe(out.result.findings.length);
    // Enrichment: KnowledgeBase text and CVSS, and CWE / OWASP / WASC from the web app's verbose findings.
    for (const f of out.result.findings) {
      expect(f.definition?.solution, `QID ${f.qid} solution`).toBeTruthy();
      expect(f.definition?.cwe.every((c) => /^CWE-\d+$/.test(c))).toBe(true);
      expect(f.definition?.owasp.length, `QID ${f.qid} OWASP`).toBeGreaterThan(0);
      // OWASP classes keep the edition the finding's URL names; WASC codes their prefix.
      expect(
        f.definition?.owasp.every((c) => /^A\d{2}:2021$/.test(c)),
        `${f.definition?.owasp}`,
      ).toBe(true);
      expect(f.definition?.wasc.length, `QID ${f.qid} WASC`).toBeGreaterThan(0);
      expect(
        f.definition?.wasc.every((c) => /^WASC-\d+$/.test(c)),
        `${f.definition?.wasc}`,
      ).toBe(true);
    }
    expect(out.result.findings.some((f) => (f.definition?.cwe.length ?? 0) > 0)).toBe(true);
    expect(JSON.stringify(out.sarif)).toMatch(/external\/cwe\/cwe-\d+/);
    expect(out.result.apiCalls).toMatchObject({ kb: 1, classifications: 1 });
  });

  it("fails by minimum severity", async () => {
    const { run, dir } = await gate(["--webapp", "scenario-vulnerable", "--min-severity", "4"]);
    expect(run.code).toBe(1);
    const out = await readOutputs(dir);
    expect(out.result.criteria[0]).toMatchObject({ id: "min-severity", outcome: "fail" });
    expect(out.result.criteria[0]?.findings).toHaveLength(count(5) + count(4));
  });

  it("fails by QID list with ranges; passes when the QIDs are absent", async () => {
    const failing = await gate(["--webapp", "scenario-vulnerable", "--fail-on-qids", `1-5, ${qid(2)}`]);
    expect(failing.run.code).toBe(1);
    expect((await readOutputs(failing.dir)).result.criteria[0]).toMatchObject({
      id: "qids",
      actual: String(qid(2)),
    });
    const passing = await gate(["--webapp", "scenario-vulnerable", "--fail-on-qids", "1-5"]);
    expect(passing.run.code).toBe(0);
  });

  it("QID exclusions take findings out of every criterion", async () => {
    const excluded = [...(bySeverity.get(5) ?? []), ...(bySeverity.get(4) ?? [])].join(",");
    const { run, dir } = await gate([
      "--webapp",
      "scenario-vulnerable",
      "--min-severity",
      "4",
      "--exclude-qids",
      excluded,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const out = await readOutputs(dir);
    expect(out.result.findings.filter((f) => f.disposition === "excluded")).toHaveLength(count(5) + count(4));
    // Excluded findings are no part of the counted severities, in result.json and in the summary's table.
    expect(out.result.severityCounts.counted.slice(3)).toEqual([0, 0]);
    expect(out.result.severityCounts.notCounted.excluded.slice(3)).toEqual([count(4), count(5)]);
    expect(out.summary).toContain(`| 5 | Urgent | 0 | ${count(5)} |`);
  });

  it("warn-only criteria report and pass (exit 0)", async () => {
    const policy = path.join(tempDir(), "policy.yaml");
    writeFileSync(policy, "version: 1\ncriteria:\n  minSeverity: { severity: 1, action: warn }\n");
    const { run, dir } = await gate(["--webapp", "scenario-vulnerable", "--policy", policy]);
    expect(run.code, run.stderr).toBe(0);
    expect(lastLine(run)).toBe("passed: 2 criteria checked, 1 warning (min-severity)");
    const out = await readOutputs(dir);
    expect(out.result.criteria[0]?.outcome).toBe("warn");
    expect(out.junit.failures).toBe(0);
    expect(out.summary).toContain("| WARN |");
  });

  it("exceptions: applied, expired and unused, each reported", async () => {
    const policy = path.join(tempDir(), "policy.yaml");
    writeFileSync(
      policy,
      [
        "version: 1",
        "criteria:",
        "  minSeverity: 5",
        "exceptions:",
        `  - { id: waf, reason: "WAF rule 9411 blocks it", expires: "2099-12-31", qids: "${bySeverity.get(5)?.join(",")}", webApps: [scenario-vulnerable] }`,
        `  - { id: old, reason: "was fixed", expires: "2020-01-01", qids: "${qid(4)}" }`,
        `  - { id: stale, reason: "long gone", expires: "2099-12-31", qids: "1" }`,
      ].join("\n"),
    );
    const { run, dir } = await gate(["--webapp", "scenario-vulnerable", "--policy", policy]);
    expect(run.code, run.stderr).toBe(0);
    const out = await readOutputs(dir);
    expect(out.result.exceptions.map((e) => [e.id, e.status, e.matched])).toEqual([
      ["waf", "applied", count(5)],
      ["old", "expired", count(4)],
      ["stale", "unused", 0],
    ]);
    expect(out.result.warnings).toContain(
      `exception old expired on 2020-01-01 and no longer applies (${count(4)} finding${count(4) === 1 ? "" : "s"} now count)`,
    );
    expect(run.stderr).toContain("warning: exception stale matched no finding");
    expect(out.html).toContain("WAF rule 9411 blocks it");
  });

  it("baseline: a newOnly criterion fails only on findings missing from the baseline", async () => {
    const baselineDir = tempDir();
    const full = path.join(baselineDir, "full.json");
    const created = await startCli(["baseline", "create", referenceRun, "--out", full], env());
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^baseline .*full\.json: \d+ findings from scan \d+/);

    const policy = path.join(baselineDir, "policy.yaml");
    writeFileSync(
      policy,
      "version: 1\ncriteria:\n  minSeverity: { severity: 1, newOnly: true }\nbaseline: full.json\n",
    );
    const known = await gate(["--webapp", "scenario-vulnerable", "--policy", policy]);
    expect(known.run.code, known.run.stderr).toBe(0);
    expect((await readOutputs(known.dir)).result.findings.every((f) => !f.isNew)).toBe(true);

    // Drop the severity 5 findings from the baseline: they are new again, and only they fail.
    const baseline = JSON.parse((await import("node:fs")).readFileSync(full, "utf8"));
    const sev5 = new Set(bySeverity.get(5));
    baseline.findings = baseline.findings.filter((f: { qid: number }) => !sev5.has(f.qid));
    writeFileSync(full, JSON.stringify(baseline));
    sim.control.reset(); // the scan above changed the simulated findings; start again from the seeded ones
    const fresh = await gate(["--webapp", "scenario-vulnerable", "--policy", policy]);
    expect(fresh.run.code).toBe(1);
    const out = await readOutputs(fresh.dir);
    expect(out.result.criteria[0]).toMatchObject({ newOnly: true, outcome: "fail" });
    expect(out.result.criteria[0]?.findings).toHaveLength(count(5));
  });
});

describe("scan was: bad input exits 3, names the input, launches nothing", () => {
  it.each([
    [["--max-severity-count", "6=1"], '--max-severity-count: "6=1" is not SEVERITY=MAX'],
    [["--fail-on-qids", "150000, ,x"], "--fail-on-qids: entry 2 is empty"],
    [["--min-severity", "high"], '--min-severity: "high" is not a severity from 1 to 5'],
    [["--timeout", "soon"], '--timeout: "soon" is not a duration'],
    [["--scan-name", "{job}"], "--scan-name: unknown variable {job}"],
    [["--on-running", "ignore"], '--on-running: "ignore" must be one of attach, wait, cancel, fail'],
    [["--policy", "/nonexistent.yaml"], "--policy /nonexistent.yaml: cannot be read (ENOENT)"],
  ])("%j", async (args, message) => {
    const before = sim.control.world.wasScans.size;
    const { run } = await gate(["--webapp", "scenario-clean", ...args]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(message);
    expect(sim.control.world.wasScans.size).toBe(before);
  });

  it("an unknown web app name lists similar names", async () => {
    const { run, dir } = await gate(["--webapp", "scenario"]);
    expect(run.code).toBe(3);
    // The run had started, so it ends like every run: outputs written, the reason as the last line.
    expect((await readOutputs(dir)).result.verdict).toBe("error");
    expect(lastLine(run)).toMatch(
      /--webapp: no web app is named "scenario"; similar names: 1000001 "scenario-clean"/,
    );
  });
});

describe("scan was: web apps by name", () => {
  it("an ambiguous name is an error that lists every candidate", async () => {
    const clean = [...sim.control.world.webApps.values()].find((w) => w.name === "scenario-clean");
    if (!clean) throw new Error("no scenario-clean");
    sim.control.world.webApps.set(1_999_999, { ...clean, id: 1_999_999 });
    const { run } = await gate(["--webapp", "scenario-clean"]);
    expect(run.code).toBe(3);
    expect(lastLine(run)).toBe(
      `error: --webapp: 2 web apps are named "scenario-clean"; give the id of one: ${clean.id} "scenario-clean" ${clean.url}; 1999999 "scenario-clean" ${clean.url}`,
    );
  });

  it("--format json prints result.json to stdout", async () => {
    const { run, dir } = await gate(["--webapp", "1000001", "--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed).toEqual(
      JSON.parse((await import("node:fs")).readFileSync(path.join(dir, "result.json"), "utf8")),
    );
    expect(printed.scan.target.name).toBe("scenario-clean");
  });
});

describe("evaluate: offline re-evaluation", () => {
  it("re-evaluates a saved result.json with another policy, same outputs and exit codes, no API call", async () => {
    const calls = sim.control.stats().total;
    const dir = tempDir();
    const strict = await startCli(["evaluate", referenceRun, "--min-severity", "5", "--report-dir", dir], {});
    expect(strict.code, strict.stderr).toBe(1);
    const out = await readOutputs(dir);
    expect(out.result.warnings[0]).toBe("evaluated offline from a saved result.json");
    const lenient = await startCli(
      ["evaluate", referenceRun, "--fail-on-qids", "1", "--report-dir", tempDir()],
      {},
    );
    expect(lenient.code).toBe(0);
    expect(sim.control.stats().total).toBe(calls);
  });

  it("evaluates a WAS scan download (JSON as the API returns it)", async () => {
    const first = await gate(["--webapp", "scenario-vulnerable"]);
    const saved: GateResult = (await readOutputs(first.dir)).result;
    const response = await fetch(`${sim.url}/qps/rest/3.0/download/was/wasscan/${saved.scan?.id}`, {
      headers: {
        authorization: `Basic ${Buffer.from("sim_user:sim-password").toString("base64")}`,
        accept: "application/json",
      },
    });
    const file = path.join(tempDir(), "download.json");
    writeFileSync(file, await response.text());
    const dir = tempDir();
    const run = await startCli(["evaluate", file, "--max-severity-count", "5=0", "--report-dir", dir], {});
    expect(run.code, run.stderr).toBe(1);
    const out = await readOutputs(dir);
    expect(out.result.findings).toHaveLength(saved.findings.length);
    expect(out.result.criteria[0]?.actual).toBe(String(count(5)));
  });

  it("a file that is neither is exit 3 naming it", async () => {
    const file = path.join(tempDir(), "notes.txt");
    writeFileSync(file, "hello");
    const run = await startCli(["evaluate", file, "--report-dir", tempDir()], {});
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`${file}: neither a result.json nor a WAS scan download`);
  });
});
