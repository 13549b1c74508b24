/**
 * A scanned web app's name is hostile text: `scan was` against a simulator web app whose name carries terminal
 * sequences, line breaks, bidirectional overrides and CI workflow commands. Every byte on stderr is checked, and
 * the workflow commands and GITHUB_OUTPUT entries the gate writes itself carry escaped values.
 */

import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCli, tempDir } from "./gate-e2e.js";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, scanDurationMs: 300, webapps: 1, findingsPerWebapp: 1, hosts: 1 });
});
afterAll(async () => {
  await sim?.close();
});

// Terminal sequences in their C1 form (CSI U+009B, OSC U+009D, ST U+009C), since XML cannot carry ESC: a screen
// clear, an OSC 8 link, then new lines that GitHub Actions and Azure DevOps would read as commands.
const HOSTILE_NAME =
  "shop\u009b2J\u009d8;;https://evil.example/\u009cclick\u009d8;;\u009c\r\n::warning file=x::pwned\n##vso[task.setvariable variable=qualysVerdict;isOutput=true]passed\u202egpj.exe";
const SHOWN_NAME =
  "shop\\x9b2J\\x9d8;;https://evil.example/\\x9cclick\\x9d8;;\\x9c\\x0d\\x0a::warning file=x::pwned\\x0a\\x23#vso[task.setvariable variable=qualysVerdict;isOutput=true]passed\\u202egpj.exe";

/** Nothing on a log line that a terminal or a CI runner would act on. */
function expectInert(text: string): void {
  expect(text).not.toMatch(/(?!\n)\p{Cc}|[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u);
  expect(text).not.toMatch(/^\s*::/m);
}

const env = () => ({ QUALYS_API_URL: sim.url, QUALYS_USERNAME: "sim_user", QUALYS_PASSWORD: "sim-password" });
const FAST = ["--poll-interval", "1s", "--timeout", "2m"];

async function renameCleanWebApp(): Promise<number> {
  await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
  const truth = (await (await fetch(`${sim.url}/__sim/ground-truth/webapps`)).json()) as {
    id: number;
    name: string;
  }[];
  const id = truth.find((w) => w.name === "scenario-clean")?.id;
  if (id === undefined) throw new Error("no scenario-clean web app");
  const renamed = await fetch(`${sim.url}/__sim/webapps/${id}`, {
    method: "POST",
    body: JSON.stringify({ name: HOSTILE_NAME, url: "https://evil.example/\u202e" }),
  });
  expect(renamed.status).toBe(200);
  return id;
}

describe("scan was with a hostile web app name", () => {
  it("escapes it on stderr and writes only our own, escaped workflow commands", async () => {
    const id = await renameCleanWebApp();
    // A report folder whose name holds a line break and a percent encoding reaches both CI systems as a value.
    const parent = tempDir();
    const dir = path.join(parent, "out%41\nverdict=passed");
    mkdirSync(dir);
    const githubOutput = path.join(parent, "github-output");
    const run = await startCli(
      ["scan", "was", ...FAST, "--webapp", String(id), "--min-severity", "5", "--report-dir", dir],
      { ...env(), GITHUB_OUTPUT: githubOutput, TF_BUILD: "True" },
    );
    expect(run.code, run.stderr).toBe(0);
    const scanId = (
      JSON.parse(readFileSync(path.join(dir, "result.json"), "utf8")) as { scan: { id: string } }
    ).scan.id;
    const shownDir = dir.replace("\n", "\\x0a");
    const azureDir = dir.replace("%", "%AZP25").replace("\n", "%0A");

    // Every stderr line, in order; only the status lines depend on timing, so they are matched by pattern.
    const stderr = run.stderr.split("\n");
    const statusLines = stderr.slice(2, -5);
    expect(statusLines.length).toBeGreaterThan(0);
    expect(stderr.slice(0, 2)).toEqual([
      `web app ${id} "${SHOWN_NAME}" https://evil.example/\\u202e`,
      expect.stringMatching(
        new RegExp(`^launched scan ${scanId} "unknown_azureDevOps_build_unknown_[0-9-]+"$`),
      ),
    ]);
    for (const line of statusLines)
      expect(line).toMatch(new RegExp(`^scan ${scanId}: [A-Z_]+ \\(\\d+m \\d+s elapsed\\)$`));
    expect(stderr.slice(-5)).toEqual([
      `downloaded results of scan ${scanId}: 0 vulnerabilities`,
      `writing the outputs to ${shownDir}`,
      `outputs: ${["result.json", "junit.xml", "results.sarif", "summary.md", "report.html"].map((f) => `${shownDir}/${f}`).join(", ")}`,
      `scan report in the Qualys portal: ${sim.url}/was/#/reports/online-reports/email-report/scan/${scanId}`,
      "",
    ]);
    expectInert(run.stderr);
    expect(run.stderr).not.toMatch(/##vso\[/i);

    // stdout: our logging commands, with escaped values, then the verdict; nothing else.
    expect(run.stdout).toBe(
      [
        `##vso[task.uploadsummary]${azureDir}/summary.md`,
        "##vso[task.setvariable variable=qualysVerdict;isOutput=true]passed",
        "##vso[task.setvariable variable=qualysExitCode;isOutput=true]0",
        `##vso[task.setvariable variable=qualysScanId;isOutput=true]${scanId}`,
        `##vso[task.setvariable variable=qualysReportDir;isOutput=true]${azureDir}`,
        ...[1, 2, 3, 4, 5].map((n) => `##vso[task.setvariable variable=qualysSeverity${n};isOutput=true]0`),
        ...[1, 2, 3, 4, 5].map(
          (n) => `##vso[task.setvariable variable=qualysSeverity${n}NotCounted;isOutput=true]0`,
        ),
        "passed: 2 criteria checked",
        "",
      ].join("\n"),
    );

    // GITHUB_OUTPUT: the folder name, line break included, as a heredoc whose delimiter it cannot contain.
    const written = readFileSync(githubOutput, "utf8");
    const delimiter = /^report-dir<<(ghadelimiter_[0-9a-f-]{36})$/m.exec(written)?.[1];
    expect(written).toBe(
      [
        "verdict=passed",
        "exit-code=0",
        `scan-id=${scanId}`,
        `report-dir<<${delimiter}`,
        dir,
        delimiter,
        ...[1, 2, 3, 4, 5].map((n) => `severity-${n}=0`),
        ...[1, 2, 3, 4, 5].map((n) => `severity-${n}-not-counted=0`),
        "",
      ].join("\n"),
    );
  });

  it("--no-wait publishes the scan id through the same escaped commands", async () => {
    const id = await renameCleanWebApp();
    const parent = tempDir();
    const dir = path.join(parent, "later\nverdict=passed");
    const githubOutput = path.join(parent, "github-output");
    const run = await startCli(
      ["scan", "was", ...FAST, "--webapp", String(id), "--no-wait", "--report-dir", dir],
      {
        ...env(),
        GITHUB_OUTPUT: githubOutput,
        TF_BUILD: "true",
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const scanId = (JSON.parse(readFileSync(path.join(dir, "scan.json"), "utf8")) as { scanId: number })
      .scanId;
    expect(run.stderr.split("\n")).toEqual([
      `web app ${id} "${SHOWN_NAME}" https://evil.example/\\u202e`,
      expect.stringMatching(new RegExp(`^launched scan ${scanId} "`)),
      `wrote ${dir.replace("\n", "\\x0a")}/scan.json; gate it later with: qualys-connector scan was --scan-id ${scanId}`,
      "",
    ]);
    expectInert(run.stderr);
    expect(run.stdout).toBe(
      `##vso[task.setvariable variable=qualysScanId;isOutput=true]${scanId}\n${scanId}\n`,
    );
    expect(readFileSync(githubOutput, "utf8")).toBe(`scan-id=${scanId}\n`);
  });

  it("a web app lookup that fails quotes the hostile names on one escaped verdict line", async () => {
    const id = await renameCleanWebApp();
    const dir = tempDir();
    const run = await startCli(["scan", "was", ...FAST, "--webapp", "shop", "--report-dir", dir], env());
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      `writing the outputs to ${dir}\noutputs: ${["result.json", "junit.xml", "results.sarif", "summary.md", "report.html"].map((f) => `${dir}/${f}`).join(", ")}\n`,
    );
    expect(run.stdout).toBe(
      `error: --webapp: no web app is named "shop"; similar names: ${id} "${SHOWN_NAME}" https://evil.example/\\u202e\n`,
    );
  });
});
