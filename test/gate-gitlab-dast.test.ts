/**
 * `--gitlab-dast FILE` end to end: the gate writes GitLab's DAST report where asked (valid against the required
 * fields of GitLab's schema), `evaluate` does too, and a folder given as the file is refused before any scan.
 */

import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readOutputs, startCli, tempDir } from "./gate-e2e.js";
import { gitlabDastValidator } from "./gitlab-dast-schema.js";

let sim: RunningSimulator;
const env = () => ({ QUALYS_API_URL: sim.url, QUALYS_USERNAME: "sim_user", QUALYS_PASSWORD: "sim-password" });
const validate = gitlabDastValidator();

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scanDurationMs: 1200 });
});
afterAll(async () => {
  await sim?.close();
});

describe("--gitlab-dast", () => {
  it("writes the DAST report beside the other outputs' run, and evaluate writes the same findings", async () => {
    const dir = tempDir();
    const file = path.join(dir, "elsewhere", "gl-dast-report.json");
    const args = ["--poll-interval", "1s", "--timeout", "2m", "--min-severity", "4"];
    const run = await startCli(
      ["scan", "was", "--webapp", "scenario-vulnerable", ...args, "--report-dir", dir, "--gitlab-dast", file],
      env(),
    );
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(readFileSync(file, "utf8"));
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    const { result } = await readOutputs(dir);
    const counted = result.findings.filter((f) => f.disposition === "counted");
    expect(
      report.vulnerabilities.map((v: { identifiers: { value: string }[] }) => v.identifiers[0]?.value),
    ).toEqual(counted.map((f) => String(f.qid)));
    expect(run.stderr).toContain(file);

    const again = path.join(tempDir(), "again.json");
    const offline = await startCli(
      [
        "evaluate",
        path.join(dir, "result.json"),
        "--min-severity",
        "4",
        "--report-dir",
        tempDir(),
        "--gitlab-dast",
        again,
      ],
      {},
    );
    expect(offline.code, offline.stderr).toBe(1);
    expect(JSON.parse(readFileSync(again, "utf8")).vulnerabilities).toHaveLength(counted.length);
  });

  it("refuses a folder as the file, with exit 3, before launching a scan", async () => {
    const dir = tempDir();
    const folder = path.join(dir, "a-folder");
    mkdirSync(folder);
    const run = await startCli(
      [
        "scan",
        "was",
        "--webapp",
        "scenario-clean",
        "--report-dir",
        path.join(dir, "out"),
        "--gitlab-dast",
        folder,
      ],
      env(),
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`--gitlab-dast ${folder}: is a directory`);
    expect(existsSync(path.join(dir, "out", "result.json"))).toBe(false);
  });
});
