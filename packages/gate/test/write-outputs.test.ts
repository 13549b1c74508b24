import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  announceSummary,
  azureCommandData,
  evaluateSaved,
  fromResultFile,
  githubOutputEntry,
  normalizePolicy,
  publishLaunchedScanOutputs,
  publishStepOutputs,
  REPORT_CSS,
  readSavedScan,
  writeGateOutputs,
} from "../src/index.js";
import { erroredScanResult, errorResult, sampleResult, vmSampleResult } from "./sample-result.js";

const temp = () => mkdtempSync(path.join(tmpdir(), "outputs-"));

describe("writeGateOutputs", () => {
  it("writes the five files and nothing else (no temporary file left)", () => {
    const dir = path.join(temp(), "nested", "qualys-results");
    const paths = writeGateOutputs(sampleResult(), dir);
    expect(readdirSync(dir).sort()).toEqual([
      "junit.xml",
      "report.html",
      "result.json",
      "results.sarif",
      "summary.md",
    ]);
    const file = JSON.parse(readFileSync(paths.json, "utf8"));
    expect(file.findings[0].definition).toBeUndefined();
    expect(Object.keys(file.definitions)).toHaveLength(6);
    expect(fromResultFile(file)).toEqual(sampleResult());
  });

  it("with htmlMode strict, writes report.css beside a report.html that has no inline style, script or data: URI", () => {
    const dir = temp();
    const paths = writeGateOutputs(vmSampleResult(), dir, { htmlMode: "strict" });
    expect(readdirSync(dir).sort()).toEqual([
      "junit.xml",
      "report.css",
      "report.html",
      "result.json",
      "results.sarif",
      "summary.md",
    ]);
    expect(paths.stylesheet).toBe(path.join(dir, "report.css"));
    expect(readFileSync(path.join(dir, "report.css"), "utf8")).toBe(REPORT_CSS);
    const html = readFileSync(paths.html, "utf8");
    expect(html).toContain('<link rel="stylesheet" href="report.css">');
    expect(html).toContain(`content="default-src 'none'; style-src 'self'; img-src 'self'"`);
    expect(html).toContain('<svg class="severity-chart"');
    expect(html).not.toMatch(/<style|\sstyle=|<script|data:|unsafe-inline/i);
  });

  it("by default, keeps report.html self-contained and writes no stylesheet", () => {
    const dir = temp();
    const paths = writeGateOutputs(sampleResult(), dir);
    expect(paths.stylesheet).toBeUndefined();
    expect(readdirSync(dir)).not.toContain("report.css");
    expect(readFileSync(paths.html, "utf8")).toContain("<style>");
  });

  it("writes the GitLab DAST report only when asked, where asked, with secrets masked", () => {
    const root = temp();
    const plain = writeGateOutputs(sampleResult(), path.join(root, "a"));
    expect(plain.gitlabDast).toBeUndefined();
    const result = sampleResult();
    const secret = "s3cr3t-password-value";
    const [first] = result.findings;
    if (first) first.title = `${first.title} ${secret}`;
    const target = path.join(root, "elsewhere", "gl-dast-report.json");
    const paths = writeGateOutputs(result, path.join(root, "b"), { secrets: [secret], gitlabDast: target });
    expect(paths.gitlabDast).toBe(target);
    const text = readFileSync(target, "utf8");
    expect(JSON.parse(text).version).toMatch(/^15\./);
    expect(text).not.toContain(secret);
    expect(readdirSync(path.join(root, "b"))).not.toContain("gl-dast-report.json");
  });

  it("writes them for a tool error too", () => {
    const dir = temp();
    writeGateOutputs(errorResult(), dir);
    expect(JSON.parse(readFileSync(path.join(dir, "result.json"), "utf8")).verdict).toBe("error");
  });
});

describe("CI announcements", () => {
  it("appends the summary to GITHUB_STEP_SUMMARY and uploads it on Azure DevOps", () => {
    const dir = temp();
    const { markdown } = writeGateOutputs(sampleResult(), dir);
    const stepSummary = path.join(dir, "step-summary.md");
    writeFileSync(stepSummary, "earlier step\n");
    const lines = announceSummary(markdown, { GITHUB_STEP_SUMMARY: stepSummary, TF_BUILD: "True" });
    expect(readFileSync(stepSummary, "utf8")).toBe(`earlier step\n${readFileSync(markdown, "utf8")}\n`);
    expect(lines).toEqual([`##vso[task.uploadsummary]${markdown}`]);
    expect(announceSummary(markdown, {})).toEqual([]);
  });

  it("publishes the scan id of a launched scan under the same names as a gate run's", () => {
    const dir = temp();
    const output = path.join(dir, "github-output");
    writeFileSync(output, "earlier=1\n");
    const lines = publishLaunchedScanOutputs("4242", { GITHUB_OUTPUT: output, TF_BUILD: "True" });
    expect(readFileSync(output, "utf8")).toBe("earlier=1\nscan-id=4242\n");
    expect(lines).toEqual(["##vso[task.setvariable variable=qualysScanId;isOutput=true]4242"]);
    expect(publishLaunchedScanOutputs("4242", {})).toEqual([]);
    expect(() =>
      publishLaunchedScanOutputs("1", { GITHUB_OUTPUT: path.join(dir, "missing", "out") }),
    ).toThrow();
  });

  it("publishes step outputs for later steps", () => {
    const dir = temp();
    const output = path.join(dir, "github-output");
    const lines = publishStepOutputs(sampleResult(), dir, { GITHUB_OUTPUT: output, TF_BUILD: "true" });
    expect(readFileSync(output, "utf8").split("\n")).toEqual([
      "verdict=failed",
      "exit-code=1",
      "scan-id=4242",
      `report-dir=${dir}`,
      "severity-1=1",
      "severity-2=1",
      "severity-3=1",
      "severity-4=1",
      "severity-5=1",
      "severity-1-not-counted=0",
      "severity-2-not-counted=0",
      "severity-3-not-counted=0",
      "severity-4-not-counted=0",
      "severity-5-not-counted=0",
      "",
    ]);
    expect(lines).toContain("##vso[task.setvariable variable=qualysSeverity2NotCounted;isOutput=true]0");
    expect(lines.slice(0, 3)).toEqual([
      "##vso[task.setvariable variable=qualysVerdict;isOutput=true]failed",
      "##vso[task.setvariable variable=qualysExitCode;isOutput=true]1",
      "##vso[task.setvariable variable=qualysScanId;isOutput=true]4242",
    ]);
  });

  it("writes a value with line breaks as a GITHUB_OUTPUT heredoc and escapes it in ##vso lines", () => {
    const dir = temp();
    const output = path.join(dir, "github-output");
    const result = sampleResult();
    if (result.scan === undefined) throw new Error("fixture");
    // A scan id a hostile server could send: a line break followed by an output of its own, a percent encoding,
    // and an escape sequence.
    result.scan.id = "4242\nverdict=passed\r\n%0A]x;y\u001b[2J";
    const lines = publishStepOutputs(result, dir, { GITHUB_OUTPUT: output, TF_BUILD: "true" });
    const written = readFileSync(output, "utf8");
    const delimiter = /^scan-id<<(ghadelimiter_[0-9a-f-]{36})$/m.exec(written)?.[1];
    expect(delimiter).toBeDefined();
    expect(written).toBe(
      [
        "verdict=failed",
        "exit-code=1",
        `scan-id<<${delimiter}`,
        "4242",
        "verdict=passed\r",
        "%0A]x;y\u001b[2J",
        `${delimiter}`,
        `report-dir=${dir}`,
        "severity-1=1",
        "severity-2=1",
        "severity-3=1",
        "severity-4=1",
        "severity-5=1",
        "severity-1-not-counted=0",
        "severity-2-not-counted=0",
        "severity-3-not-counted=0",
        "severity-4-not-counted=0",
        "severity-5-not-counted=0",
        "",
      ].join("\n"),
    );
    expect(lines[2]).toBe(
      "##vso[task.setvariable variable=qualysScanId;isOutput=true]4242%0Averdict=passed%0D%0A%AZP250A]x;y\\x1b[2J",
    );
    for (const line of lines) expect(line).not.toMatch(/\p{Cc}/u);
  });

  it("escapes the summary path of ##vso[task.uploadsummary]", () => {
    const lines = announceSummary("/tmp/a%41\nb/summary.md", { TF_BUILD: "true" });
    expect(lines).toEqual(["##vso[task.uploadsummary]/tmp/a%AZP2541%0Ab/summary.md"]);
  });

  it("picks a heredoc delimiter that the value does not contain", () => {
    const entry = githubOutputEntry("x", "a\nb");
    expect(entry).toMatch(/^x<<(ghadelimiter_[0-9a-f-]{36})\na\nb\n\1\n$/);
    expect(githubOutputEntry("x", "plain=value<<EOF")).toBe("x=plain=value<<EOF\n");
    expect(azureCommandData("100%\r\n\u202e")).toBe("100%AZP25%0D%0A\\u202e");
  });

  it("severity outputs are what the criteria counted; the rest is published apart", () => {
    const dir = temp();
    const output = path.join(dir, "github-output");
    // Two potential detections (severities 2 and 3) were not evaluated: they are no part of severity-2/3.
    const lines = publishStepOutputs(vmSampleResult(), dir, { GITHUB_OUTPUT: output, TF_BUILD: "true" });
    const published = readFileSync(output, "utf8").split("\n");
    expect(published).toContain("severity-2=1");
    expect(published).toContain("severity-2-not-counted=1");
    expect(published).toContain("severity-3=1");
    expect(published).toContain("severity-3-not-counted=1");
    expect(published).toContain("severity-5-not-counted=0");
    expect(lines).toContain("##vso[task.setvariable variable=qualysSeverity2;isOutput=true]1");
    expect(lines).toContain("##vso[task.setvariable variable=qualysSeverity2NotCounted;isOutput=true]1");
  });
});

describe("re-evaluating a saved result.json", () => {
  const policy = normalizePolicy({ minSeverity: "3" }, undefined);
  const tool = { name: "qualys-connector", version: "0.1.0" };
  const now = new Date("2026-12-02T00:00:00Z");

  it("a run without results stays without results: its criteria are not evaluated", () => {
    const { json } = writeGateOutputs(erroredScanResult(), temp());
    const result = evaluateSaved(readSavedScan(json), policy, undefined, tool, now);
    expect(result.resultsAvailable).toBe(false);
    expect(result.criteria[0]).toMatchObject({ id: "min-severity", outcome: "not-evaluated" });
  });

  it("a result.json written before resultsAvailable existed had results", () => {
    const dir = temp();
    const { json } = writeGateOutputs(sampleResult(), dir);
    const file = JSON.parse(readFileSync(json, "utf8"));
    delete file.resultsAvailable;
    writeFileSync(json, JSON.stringify(file));
    expect(fromResultFile(file).resultsAvailable).toBe(true);
    const result = evaluateSaved(readSavedScan(json), policy, undefined, tool, now);
    expect(result.resultsAvailable).toBe(true);
    expect(result.criteria[0]).toMatchObject({ id: "min-severity", outcome: "fail" });
  });
});
