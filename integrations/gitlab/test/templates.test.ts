/**
 * The GitLab CI/CD components in templates/: their inputs against their use, and their job run as GitLab would
 * run it (script lines in one shell with `set -eo pipefail`) against the simulator, with a `qualys-connector` on
 * PATH that runs this run's CLI bundle in place of the `npm install` line. Each run asserts the job's exit code
 * and the files GitLab would upload: JUnit, the annotations, the DAST report (checked against GitLab's schema).
 */

import { spawn } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliArgv } from "../../../test/cli-process.js";
import { readOutputs, tempDir } from "../../../test/gate-e2e.js";
import { gitlabDastValidator } from "../../../test/gitlab-dast-schema.js";
import { type InputValue, readComponent, renderComponent } from "./component.js";

const TEMPLATES = ["qualys-was-scan.yml", "qualys-vm-scan.yml"] as const;
const cliPackage = JSON.parse(
  readFileSync(new URL("../../../packages/cli/package.json", import.meta.url), "utf8"),
) as { version: string };
const JOB_URL = "https://gitlab.example/group/app/-/jobs/42";

interface Job {
  stage: string;
  image: string;
  variables: Record<string, { value: string; expand: boolean }>;
  script: string[];
  allow_failure: { exit_codes: number[] };
  artifacts: {
    when: string;
    paths: string[];
    reports: { junit: string; annotations: string; dast: string };
  };
}

function renderJob(file: string, inputs: Record<string, InputValue> = {}): { name: string; job: Job } {
  const entries = Object.entries(renderComponent(readComponent(file), inputs));
  expect(entries).toHaveLength(1);
  const [name, job] = entries[0] ?? [];
  return { name: String(name), job: job as Job };
}

describe.each(TEMPLATES)("%s: inputs", (file) => {
  const component = readComponent(file);

  it("declares every input it uses and uses every input it declares", () => {
    expect([...component.used].sort()).toEqual(Object.keys(component.inputs).sort());
  });

  it("describes every input and gives each a default of its type (no input is required)", () => {
    for (const [name, spec] of Object.entries(component.inputs)) {
      expect(spec.description, name).toMatch(/\S/);
      expect(spec.default, name).toBeDefined();
      const type = spec.type ?? "string";
      if (type === "array") expect(Array.isArray(spec.default), name).toBe(true);
      else expect(typeof spec.default, name).toBe(type);
      if (spec.options) expect(spec.options, name).toContain(spec.default);
      if (spec.regex !== undefined) expect(String(spec.default), name).toMatch(new RegExp(spec.regex));
    }
  });

  it("holds no input for a secret: credentials come from masked CI/CD variables", () => {
    for (const name of Object.keys(component.inputs))
      expect(name).not.toMatch(/password|secret|token|credential|client-id/i);
  });

  it("installs the published package at the version input, which defaults to this CLI's version", () => {
    expect(component.inputs.version?.default).toBe(cliPackage.version);
    expect(component.inputs.image?.default).toMatch(/^node:20/);
    const { job } = renderJob(file, { version: "9.9.9" });
    expect(job.script[0]).toBe("npm install --global qualys-connector@9.9.9");
    expect(job.script.filter((line) => line.includes("npm install"))).toHaveLength(1);
  });

  it("uploads the outputs and the reports on every outcome; exit codes to allow are opt-in", () => {
    const { name, job } = renderJob(file, { "report-dir": "out/qualys", stage: "dast" });
    expect(name).toBe(file.replace(/\.yml$/, ""));
    expect(job.stage).toBe("dast");
    expect(job.artifacts.when).toBe("always");
    expect(job.artifacts.paths).toEqual(["out/qualys/"]);
    expect(job.artifacts.reports).toEqual({
      junit: "out/qualys/junit.xml",
      annotations: "out/qualys/gl-annotations.json",
      dast: "out/qualys/gl-dast-report.json",
    });
    expect(job.allow_failure.exit_codes).toEqual([]);
    expect(renderJob(file, { "allow-failure-exit-codes": [2] }).job.allow_failure.exit_codes).toEqual([2]);
  });

  it("passes every input to the script as a variable GitLab does not expand", () => {
    const { job } = renderJob(file, { "scan-name": "$CI_JOB_TOKEN {branch} $(id)" });
    for (const [key, variable] of Object.entries(job.variables)) {
      expect(key).toMatch(/^QUALYS_INPUT_/);
      expect(variable.expand, key).toBe(false);
    }
    expect(job.variables.QUALYS_INPUT_SCAN_NAME?.value).toBe("$CI_JOB_TOKEN {branch} $(id)");
  });

  it("refuses a report folder that would be a pattern or an option", () => {
    expect(() => renderJob(file, { "report-dir": "-x" })).toThrow(/does not match/);
    expect(() => renderJob(file, { "report-dir": "a b" })).toThrow(/does not match/);
  });
});

let sim: RunningSimulator;
let shimDir: string;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scanDurationMs: 1200 });
  // `qualys-connector` on PATH: this run's CLI bundle, standing in for the package `npm install --global` installs.
  shimDir = tempDir("gitlab-shim-");
  const { command, args } = cliArgv([]);
  const shim = path.join(shimDir, "qualys-connector");
  writeFileSync(shim, `#!/bin/sh\nexec ${[command, ...args].map((a) => `'${a}'`).join(" ")} "$@"\n`);
  chmodSync(shim, 0o755);
});
afterAll(async () => {
  await sim?.close();
});

interface JobRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The job's working directory (the checkout). */
  dir: string;
  reportDir: string;
}

/** Run the job's script as GitLab's shell executor would, the `npm install` line left out (the shim stands in). */
async function runJob(file: string, inputs: Record<string, InputValue>): Promise<JobRun> {
  const { job } = renderJob(file, { "api-url": sim.url, "poll-interval": "1s", timeout: "2m", ...inputs });
  const [install, ...lines] = job.script;
  expect(install).toMatch(/^npm install --global qualys-connector@/);
  const dir = tempDir("gitlab-job-");
  const variables = Object.fromEntries(Object.entries(job.variables).map(([k, v]) => [k, v.value]));
  const env = {
    PATH: `${shimDir}${path.delimiter}${process.env.PATH ?? ""}`,
    HOME: process.env.HOME ?? "",
    CI: "true",
    GITLAB_CI: "true",
    CI_JOB_URL: JOB_URL,
    CI_PIPELINE_ID: "7",
    QUALYS_USERNAME: "sim_user",
    QUALYS_PASSWORD: "sim-password",
    ...variables,
  };
  const child = spawn("bash", ["-c", `set -eo pipefail\n${lines.join("\n")}`], { cwd: dir, env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr, dir, reportDir: path.join(dir, String(variables.QUALYS_INPUT_REPORT_DIR)) };
}

const validDast = gitlabDastValidator();

/** The reports GitLab would read, each checked: JUnit and the other outputs, the annotations, the DAST report. */
async function artifacts(run: JobRun, withDast: boolean) {
  const outputs = await readOutputs(run.reportDir);
  const annotations = JSON.parse(readFileSync(path.join(run.reportDir, "gl-annotations.json"), "utf8")) as {
    qualys: { external_link: { label: string; url: string } }[];
  };
  expect(annotations.qualys[0]?.external_link.url).toBe(
    `${JOB_URL}/artifacts/file/${path.relative(run.dir, run.reportDir)}/report.html`,
  );
  const dastFile = path.join(run.reportDir, "gl-dast-report.json");
  expect(existsSync(dastFile)).toBe(withDast);
  let dast: { vulnerabilities: unknown[]; scan: { status: string } } | undefined;
  if (withDast) {
    dast = JSON.parse(readFileSync(dastFile, "utf8"));
    expect(validDast(dast), JSON.stringify(validDast.errors)).toBe(true);
  }
  return { outputs, annotations, dast };
}

describe("qualys-was-scan.yml: the job against the simulator", () => {
  it("passes: exit 0, JUnit without failures, annotations, a DAST report when asked", async () => {
    const run = await runJob("qualys-was-scan.yml", {
      webapp: "scenario-clean",
      "min-severity": "3",
      "gitlab-dast": true,
    });
    expect(run.code, run.stderr).toBe(0);
    const { outputs, annotations, dast } = await artifacts(run, true);
    expect(outputs.result.verdict).toBe("passed");
    expect(outputs.junit.failures).toBe(0);
    expect(annotations.qualys.map((a) => a.external_link.label)).toEqual([
      "Qualys WAS report (report.html)",
      "Qualys WAS scan in the Qualys portal",
    ]);
    expect(dast?.scan.status).toBe("success");
  });

  it("fails: exit 1, the failing findings in JUnit and in the DAST report", async () => {
    const run = await runJob("qualys-was-scan.yml", {
      webapp: "scenario-vulnerable",
      "min-severity": "4",
      "gitlab-dast": true,
      "report-dir": "reports/qualys",
    });
    expect(run.code, run.stderr).toBe(1);
    const { outputs, dast } = await artifacts(run, true);
    expect(outputs.result.verdict).toBe("failed");
    expect(outputs.junit.failures).toBeGreaterThan(0);
    expect(dast?.vulnerabilities.length).toBe(
      outputs.result.findings.filter((f) => f.disposition === "counted").length,
    );
  });

  it("incomplete: exit 2 (a warning with allow-failure-exit-codes [2]), outputs still written, no DAST report unasked", async () => {
    const run = await runJob("qualys-was-scan.yml", { webapp: "scenario-error", "min-severity": "5" });
    expect(run.code, run.stderr).toBe(2);
    const { outputs } = await artifacts(run, false);
    expect(outputs.result.verdict).toBe("incomplete");
  });

  it("keeps hostile input values as data: the shell runs none of them", async () => {
    const hostile = `x"; touch pwned-1; echo "$(touch pwned-2)\`touch pwned-3\`' ; touch pwned-4 #`;
    const run = await runJob("qualys-was-scan.yml", { webapp: hostile, "scan-name": "$(touch pwned-5)" });
    expect(run.code).toBe(3);
    expect(`${run.stdout}${run.stderr}`).toContain("touch pwned-1");
    for (const n of [1, 2, 3, 4, 5]) expect(existsSync(path.join(run.dir, `pwned-${n}`))).toBe(false);
    expect(existsSync(path.join(run.reportDir, "gl-annotations.json"))).toBe(true);
  });
});

describe("qualys-vm-scan.yml: the job against the simulator", () => {
  it("passes: exit 0 with the VM criteria passed through", async () => {
    const run = await runJob("qualys-vm-scan.yml", {
      ip: "10.250.0.1",
      "min-severity": "3",
      "fail-on-pci": true,
      "gitlab-dast": true,
    });
    expect(run.code, run.stderr).toBe(0);
    const { outputs } = await artifacts(run, true);
    expect(outputs.result.criteria.map((c) => c.id)).toContain("pci");
  });

  it("fails: exit 1", async () => {
    const run = await runJob("qualys-vm-scan.yml", {
      ip: "10.250.0.2",
      "min-severity": "1",
      "include-potential": true,
      "gitlab-dast": true,
    });
    expect(run.code, run.stderr).toBe(1);
    const { dast } = await artifacts(run, true);
    expect(dast?.vulnerabilities.length).toBeGreaterThan(0);
  });

  it("incomplete: exit 2 when the host is not alive", async () => {
    const run = await runJob("qualys-vm-scan.yml", { ip: "10.250.0.3", "min-severity": "5" });
    expect(run.code, run.stderr).toBe(2);
    await artifacts(run, false);
  });
});
