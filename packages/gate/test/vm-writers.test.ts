/**
 * The writers on a VM gate result: hosts instead of a web app, a per-host summary, VM columns in the
 * vulnerabilities tables, host:port locations, and the same escaping guarantees as for WAS results.
 */

import { existsSync } from "node:fs";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { parse, type TestSuites } from "junit2json";
import { describe, expect, it } from "vitest";
import { OFFICIAL_SARIF_SCHEMA, PACKAGED_SARIF_SCHEMA, sarifValidator } from "../../../test/sarif-schema.js";
import type { GateFinding, GateResult } from "../src/index.js";
import { HTML_EVIDENCE_CHARS, renderHtml } from "../src/writers/html.js";
import { escapeHtml } from "../src/writers/html-text.js";
import { renderJunit } from "../src/writers/junit.js";
import { escapeMarkdown, renderMarkdown } from "../src/writers/markdown.js";
import { cveSummary, dispositionLabel, findingLocation, kindLabel } from "../src/writers/report-text.js";
import { renderSarif } from "../src/writers/sarif.js";
import {
  HOSTILE,
  HOSTILE_AS_KB_TEXT,
  HOSTILE_DNS,
  HOSTILE_EVIDENCE,
  HOSTILE_OS,
  sampleResult,
  vmSampleResult,
} from "./sample-result.js";

function findingByQid(result: GateResult, qid: number): GateFinding {
  const found = result.findings.find((f) => f.qid === qid);
  if (found === undefined) throw new Error(`fixture has no QID ${qid}`);
  return found;
}

/** Fragments of hostile text that must never reach a report unescaped. */
const RAW_MARKUP = ["<script", "<img", "onerror=alert(1)>", "<injected"];

describe("report-text helpers", () => {
  it("locates a finding at its URL, else at ip:port/protocol, else at the bare IP", () => {
    const vm = vmSampleResult();
    expect(findingLocation(findingByQid(vm, 38739))).toBe("10.0.0.5:22/tcp");
    expect(findingLocation(findingByQid(vm, 105228))).toBe("10.0.0.5");
    const was = sampleResult().findings[0];
    if (was === undefined) throw new Error("fixture");
    expect(findingLocation(was)).toBe(was.url);
    expect(findingLocation({ ...was, url: undefined })).toBeUndefined();
  });

  it("labels the detection type, the potential disposition and long CVE lists", () => {
    const vm = vmSampleResult();
    const potential = findingByQid(vm, 38628);
    expect(kindLabel(potential)).toBe("potential");
    expect(kindLabel(findingByQid(vm, 38739))).toBe("confirmed");
    expect(dispositionLabel(potential)).toBe("potential (not evaluated)");
    expect(cveSummary([])).toBe("");
    expect(cveSummary(["CVE-1", "CVE-2", "CVE-3"])).toBe("CVE-1, CVE-2, CVE-3");
    expect(cveSummary(["CVE-1", "CVE-2", "CVE-3", "CVE-4", "CVE-5"])).toBe("CVE-1, CVE-2, CVE-3 and 2 more");
  });
});

/** Markdown helpers, as in markdown.test.ts. */
function separatorCount(line: string): number {
  return line.match(/(?<!\\)\|/g)?.length ?? 0;
}

function tables(markdown: string): string[][] {
  const found: string[][] = [];
  let current: string[] = [];
  for (const line of markdown.split("\n")) {
    if (line.startsWith("|")) current.push(line);
    else if (current.length > 0) {
      found.push(current);
      current = [];
    }
  }
  if (current.length > 0) found.push(current);
  return found;
}

function tableAfter(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n${heading}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const table = tables(markdown.slice(start))[0];
  if (table === undefined) throw new Error(`no table after ${heading}`);
  return table;
}

function cells(row: string): string[] {
  return row
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((cell) => cell.trim());
}

function mdRowStartingWith(table: readonly string[], first: string): string[] {
  const row = table.map(cells).find((c) => c[0] === first);
  if (row === undefined) throw new Error(`no row starts with ${first}`);
  return row;
}

describe("renderMarkdown, VM result", () => {
  const markdown = renderMarkdown(vmSampleResult());

  it("names the VM gate and the scanned hosts, without a web application or URL", () => {
    expect(markdown.startsWith("## FAILED: Qualys VM gate failed\n")).toBe(true);
    expect(markdown).toContain(`- **Scan:** ${escapeMarkdown("scan/1764590400.12345")}`);
    expect(markdown).toContain(`- **Hosts:** ${escapeMarkdown("10.0.0.5,10.0.0.6")}\n`);
    expect(markdown).toContain("- **Status:** scan Finished\n");
    expect(markdown).not.toContain("Web application");
    expect(markdown).not.toContain("**Report:**");
  });

  it("summarises each host: confirmed and potential by severity, and information gathered", () => {
    const hosts = tableAfter(markdown, "### Hosts (2)");
    expect(cells(hosts[0] ?? "")).toEqual([
      "Host",
      "DNS",
      "OS",
      "Confirmed 5/4/3/2/1",
      "Potential 5/4/3/2/1",
      "Information gathered",
    ]);
    expect(hosts).toHaveLength(4);
    expect(cells(hosts[2] ?? "")).toEqual([
      "10.0.0.5 (WEB01)",
      "web01.corp.example",
      "Ubuntu 22.04",
      "1 / 0 / 1 / 1 / 0",
      "0 / 0 / 1 / 0 / 0",
      "42",
    ]);
    expect(cells(hosts[3] ?? "")).toEqual([
      "10.0.0.6",
      escapeMarkdown(HOSTILE_DNS),
      escapeMarkdown(HOSTILE_OS),
      "0 / 1 / 0 / 0 / 1",
      "0 / 0 / 0 / 1 / 0",
      "7",
    ]);
  });

  it("lists the vulnerabilities with VM columns: type, host:port, CVEs, CVSS and PCI", () => {
    const findings = tableAfter(markdown, "### Vulnerabilities (7)");
    expect(cells(findings[0] ?? "")).toEqual([
      "QID",
      "Title",
      "Severity",
      "Type",
      "Host:port",
      "CVEs",
      "CVSS",
      "PCI",
      "New",
      "Disposition",
    ]);
    expect(mdRowStartingWith(findings, "38739")).toEqual([
      "38739",
      "OpenSSH Multiple Vulnerabilities",
      "5 Urgent",
      "confirmed",
      "10.0.0.5\\:22/tcp",
      "CVE-2023-38408, CVE-2023-48795, CVE-2023-51385 and 2 more",
      "9.8 (v3)",
      "yes",
      "yes",
      "counted",
    ]);
    const windows = mdRowStartingWith(findings, "91849");
    expect(windows.slice(3, 8)).toEqual([
      "confirmed",
      "10.0.0.6\\:445/tcp",
      "CVE-2026-21001",
      "7.2 (v2)",
      "yes",
    ]);
    expect(mdRowStartingWith(findings, "105228")[4]).toBe("10.0.0.5");
    const potential = mdRowStartingWith(findings, "38628");
    expect(potential[3]).toBe("potential");
    expect(potential[5]).toBe("—");
    expect(potential[9]).toBe("potential (not evaluated)");
    // Potential findings that were not evaluated come last.
    expect(findings.slice(2).map((row) => cells(row)[0])).toEqual([
      "38739",
      "91849",
      "105228",
      "38170",
      "82003",
      "38628",
      "90882",
    ]);
    expect(markdown).not.toContain("Authenticated:");
    expect(markdown).toContain("Type: confirmed = verified by the scanner");
  });

  it("escapes hostile DNS names, OS strings and titles: no raw HTML, no extra table cells", () => {
    for (const raw of RAW_MARKUP) expect(markdown).not.toContain(raw);
    expect(markdown).not.toContain(HOSTILE);
    // Without a portal link there is no angle bracket in the document at all.
    expect(markdown).not.toMatch(/[<>]/);
    expect(markdown).not.toContain("](");
    const found = tables(markdown);
    // Severity, hosts, criteria and vulnerabilities (the fixture has no exceptions).
    expect(found).toHaveLength(4);
    for (const table of found) {
      const expected = separatorCount(table[0] ?? "");
      for (const row of table) expect(separatorCount(row), row).toBe(expected);
    }
  });
});

/** Attributes the HTML writer may emit; the hosts table adds `rowspan` and `colspan` to html.test.ts's list. */
const ALLOWED_ATTRIBUTES = new Set([
  "lang",
  "charset",
  "http-equiv",
  "name",
  "content",
  "class",
  "title",
  "aria-label",
  "aria-hidden",
  "role",
  "href",
  "rel",
  "rowspan",
  "colspan",
  "viewBox",
  "width",
  "height",
  "x",
  "y",
  "rx",
]);

/** Every tag outside the `<style>` element must match a strict grammar and use only allowed attributes. */
function expectSafeMarkup(html: string): string {
  const style = /<style>([^<]*)<\/style>/.exec(html);
  if (style === null) throw new Error("no <style> element");
  const markup = html.replace(style[0], "<style></style>");
  for (const [raw] of markup.matchAll(/<[^>]*>/g)) {
    if (raw === "<!DOCTYPE html>") continue;
    expect(raw).toMatch(/^<\/?[a-z][a-z0-9]*(?:\s+[a-zA-Z][a-zA-Z-]*(?:="[^"<>]*")?)*\s*>$/);
    for (const [, name, value] of raw.matchAll(/\s([a-zA-Z][a-zA-Z-]*)(?:="([^"]*)")?/g)) {
      expect(ALLOWED_ATTRIBUTES.has(name ?? ""), raw).toBe(true);
      if (name === "rowspan" || name === "colspan") expect(value).toMatch(/^\d+$/);
    }
  }
  return markup;
}

/** The text between the tags, with escapeHtml's references decoded. */
function textOf(markup: string): string {
  return markup
    .replace(/<[^>]*>/g, " ")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&");
}

/**
 * The cells of the table row that starts with `start`. A row is not always one line: evidence keeps its line
 * breaks (shown with `white-space: pre-wrap`).
 */
function htmlRow(html: string, start: string): string[] {
  const row = [...html.matchAll(/<tr[^>]*>[\s\S]*?<\/tr>/g)]
    .map((m) => m[0])
    .find((r) => r.startsWith(start));
  if (row === undefined) throw new Error(`no row starts with ${start}`);
  return [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1] ?? "");
}

function findingCells(html: string, qid: number): string[] {
  return htmlRow(html, `<tr class="counted"><td class="num">${qid}</td>`);
}

describe("renderHtml, VM result", () => {
  const html = renderHtml(vmSampleResult());

  it("names the VM gate and the scanned hosts", () => {
    expect(html).toContain('<h1><span class="badge">FAILED</span> Qualys VM gate failed</h1>');
    expect(html).toContain("<dt>Hosts</dt><dd>10.0.0.5,10.0.0.6</dd>");
    expect(html).toContain("<dt>Status</dt><dd>scan Finished</dd>");
    expect(html).not.toContain("Web application");
    expect(html).not.toContain("href=");
  });

  it("has the per-host table with confirmed and potential counts by severity", () => {
    expect(html).toContain(
      '<thead><tr><th rowspan="2">Host</th><th rowspan="2">DNS</th><th rowspan="2">OS</th><th colspan="5">Confirmed</th><th colspan="5">Potential</th><th rowspan="2">Information gathered</th></tr><tr><th>5</th><th>4</th><th>3</th><th>2</th><th>1</th><th>5</th><th>4</th><th>3</th><th>2</th><th>1</th></tr></thead>',
    );
    expect(htmlRow(html, "<tr><td>10.0.0.5<")).toEqual([
      '10.0.0.5<div class="muted">WEB01</div>',
      "web01.corp.example",
      "Ubuntu 22.04",
      ...["1", "0", "1", "1", "0"],
      ...["0", "0", "1", "0", "0"],
      "42",
    ]);
    expect(htmlRow(html, "<tr><td>10.0.0.6<")).toEqual([
      "10.0.0.6",
      escapeHtml(HOSTILE_DNS),
      escapeHtml(HOSTILE_OS),
      ...["0", "1", "0", "0", "1"],
      ...["0", "0", "0", "1", "0"],
      "7",
    ]);
  });

  it("lists the vulnerabilities with VM columns and the solution and evidence in <details>", () => {
    expect(html).toContain(
      "<thead><tr><th>QID</th><th>Title</th><th>Severity</th><th>Type</th><th>Host:port</th><th>CVEs</th><th>CVSS</th><th>PCI</th><th>New</th><th>Disposition</th></tr></thead>",
    );
    const ssh = findingCells(html, 38739);
    expect(ssh.slice(2)).toEqual([
      "5 Urgent",
      "confirmed",
      "10.0.0.5:22/tcp",
      "CVE-2023-38408, CVE-2023-48795, CVE-2023-51385 and 2 more",
      "9.8 (v3)",
      "yes",
      "yes",
      "counted",
    ]);
    expect(ssh[1]).toBe(
      `OpenSSH Multiple Vulnerabilities<details><summary>Description, solution, classification and evidence</summary><h3>Description</h3><div class="kb"><p>Diagnosis of 38739</p></div><h3>Solution</h3><div class="kb"><p>Apply the vendor update for QID 38739. ${escapeHtml(HOSTILE_AS_KB_TEXT)}</p></div><h3>Classification</h3><dl class="facts"><dt>CVE</dt><dd>CVE-2023-38408, CVE-2023-48795, CVE-2023-51385, CVE-2023-51384, CVE-2021-41617</dd><dt>CVSS</dt><dd>9.8 (v3)</dd></dl><h3>Evidence</h3><div class="kb evidence">${escapeHtml(HOSTILE_EVIDENCE)}</div></details>`,
    );
    const potential = htmlRow(html, '<tr class="potential"><td class="num">38628</td>');
    expect(potential[3]).toBe("potential");
    expect(potential[9]).toBe("potential (not evaluated)");
    expect(findingCells(html, 105228)[4]).toBe("10.0.0.5");
  });

  it("names the <details> after what it holds: the solution, the evidence, or both", () => {
    expect(findingCells(html, 91849)[1]).toBe(
      `Microsoft Windows Security Update for November 2026<details><summary>Description, solution and classification</summary><h3>Description</h3><div class="kb"><p>Diagnosis of 91849</p></div><h3>Solution</h3><div class="kb"><p>Apply the vendor update for QID 91849. ${escapeHtml(HOSTILE_AS_KB_TEXT)}</p></div><h3>Classification</h3><dl class="facts"><dt>CVE</dt><dd>CVE-2026-21001</dd><dt>CVSS</dt><dd>7.2 (v2)</dd></dl></details>`,
    );
    const result = vmSampleResult();
    const ssh = findingByQid(result, 38739);
    ssh.definition = undefined;
    expect(findingCells(renderHtml(result), 38739)[1]).toBe(
      `OpenSSH Multiple Vulnerabilities<details><summary>Evidence</summary><h3>Evidence</h3><div class="kb evidence">${escapeHtml(HOSTILE_EVIDENCE)}</div></details>`,
    );
    ssh.results = undefined;
    expect(findingCells(renderHtml(result), 38739)[1]).toBe("OpenSSH Multiple Vulnerabilities");
  });

  it("caps the evidence at HTML_EVIDENCE_CHARS characters", () => {
    const result = vmSampleResult();
    findingByQid(result, 38739).results = `${"a".repeat(HTML_EVIDENCE_CHARS)}TAIL`;
    const page = renderHtml(result);
    expect(page).toContain(`<div class="kb evidence">${"a".repeat(HTML_EVIDENCE_CHARS)}…</div>`);
    expect(page).not.toContain("TAIL");
  });

  it("escapes hostile titles, DNS names, OS strings and evidence", () => {
    for (const raw of RAW_MARKUP) expect(html.toLowerCase()).not.toContain(raw);
    expect(html).not.toContain(HOSTILE);
    const markup = expectSafeMarkup(html);
    const text = textOf(markup);
    for (const hostile of [HOSTILE, HOSTILE_DNS, HOSTILE_OS]) expect(text).toContain(hostile);
    expect(text).toContain(HOSTILE_EVIDENCE);
  });
});

/** fast-xml-parser, configured as in junit.test.ts. */
const fxp = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  htmlEntities: true,
  isArray: (name) => ["testsuite", "testcase", "failure", "error", "system-out"].includes(name),
});

interface FxpCase {
  "@_classname": string;
  "@_name": string;
  failure?: { "#text"?: string }[];
}

async function parseJunit(xml: string): Promise<TestSuites> {
  const parsed = await parse(xml);
  if (parsed == null || !("testsuite" in parsed)) throw new Error("expected <testsuites>");
  return parsed;
}

describe("renderJunit, VM result", () => {
  const result = vmSampleResult();
  const xml = renderJunit(result);

  it("parses with both parsers, with counts equal to the elements, and no markup from the scan", async () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    for (const raw of RAW_MARKUP) expect(xml).not.toContain(raw);
    expect(xml).not.toContain("]]>");
    expect(xml).not.toContain("CDATA");
    const suites = await parseJunit(xml);
    const suite = suites.testsuite?.[0];
    const cases = suite?.testcase ?? [];
    expect(suite?.name).toBe("Qualys VM gate: 10.0.0.5,10.0.0.6");
    expect(suites.tests).toBe(cases.length);
    expect(suites.failures).toBe(cases.filter((c) => (c.failure?.length ?? 0) > 0).length);
    expect(suites.errors).toBe(0);
  });

  it("names each failing finding's test case after its ip:port/protocol and lists host, port and CVEs", async () => {
    const ssh = findingByQid(result, 38739);
    const windows = findingByQid(result, 91849);
    const cases = (await parseJunit(xml)).testsuite?.[0]?.testcase ?? [];
    const perFinding = cases.filter((c) => c.classname === "qualys.vm.findings");
    expect(perFinding.map((c) => c.name)).toEqual([
      `QID 38739 ${ssh.title} at 10.0.0.5:22/tcp`,
      `QID 91849 ${windows.title} at 10.0.0.6:445/tcp`,
      `QID 38170 ${findingByQid(result, 38170).title} at 10.0.0.5:443/tcp`,
    ]);
    const body = perFinding[0]?.failure?.[0]?.inner ?? "";
    expect(body).toContain("Type: confirmed\n");
    expect(body).toContain("Host: 10.0.0.5 (web01.corp.example, WEB01)\n");
    expect(body).toContain("Port: 22/tcp\n");
    expect(body).toContain("OS: Ubuntu 22.04\n");
    expect(body).toContain(`CVEs: ${ssh.definition?.cves.join(", ")}\n`);
    expect(body).toContain("CVSS: 9.8 (v3) CVSS:3.1/");
    expect(body).toContain("PCI: yes\n");
    expect(body).not.toContain("URL:");
    // Hostile host text survives exactly through the XML escaping.
    const hostile = perFinding[1]?.failure?.[0]?.inner ?? "";
    expect(hostile).toContain(`Host: 10.0.0.6 (${HOSTILE_DNS})\n`);
    expect(hostile).toContain(`OS: ${HOSTILE_OS}\n`);

    const fxpCases: FxpCase[] = fxp.parse(xml).testsuites.testsuite[0].testcase;
    const fxpFinding = fxpCases.filter((c) => c["@_classname"] === "qualys.vm.findings");
    expect(fxpFinding.map((c) => c["@_name"])).toEqual(perFinding.map((c) => c.name));
    expect(fxpFinding[1]?.failure?.[0]?.["#text"]).toContain(`OS: ${HOSTILE_OS}\n`);
  });

  it("names a host-level detection after the bare IP", async () => {
    const vm = vmSampleResult();
    const hostLevel = findingByQid(vm, 105228);
    const [first] = vm.criteria;
    if (first === undefined) throw new Error("fixture");
    vm.criteria = [{ ...first, findings: [hostLevel.fingerprint] }];
    const cases = (await parseJunit(renderJunit(vm))).testsuite?.[0]?.testcase ?? [];
    const perFinding = cases.find((c) => c.classname === "qualys.vm.findings");
    expect(perFinding?.name).toBe(`QID 105228 ${hostLevel.title} at 10.0.0.5`);
    expect(perFinding?.failure?.[0]?.inner).toContain("Port: (none)\n");
  });
});

interface SarifRun {
  automationDetails?: { id: string };
  tool: { driver: { rules: { id: string; properties: { tags: string[] } }[] } };
  results: {
    ruleId: string;
    message: { text: string };
    locations?: Record<string, unknown>[];
    suppressions?: { justification?: string }[];
    properties: Record<string, unknown>;
  }[];
}

function sarifRun(result: GateResult): SarifRun {
  const run: SarifRun | undefined = JSON.parse(renderSarif(result)).runs[0];
  if (run === undefined) throw new Error("no run");
  return run;
}

describe("renderSarif, VM result", () => {
  it("validates against the SARIF 2.1.0 schema", () => {
    const schemas = [
      PACKAGED_SARIF_SCHEMA,
      ...(existsSync(OFFICIAL_SARIF_SCHEMA) ? [OFFICIAL_SARIF_SCHEMA] : []),
    ];
    for (const schema of schemas) {
      const validate = sarifValidator(schema);
      const valid = validate(JSON.parse(renderSarif(vmSampleResult())));
      expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
      expect(valid).toBe(true);
    }
  });

  it("locates VM findings at protocol://ip:port (GitHub needs an artifact location) and logically at ip:port/protocol", () => {
    const result = vmSampleResult();
    const run = sarifRun(result);
    expect(run.automationDetails?.id).toBe("qualys-vm/10.0.0.5,10.0.0.6/");
    expect(run.results).toHaveLength(result.findings.length);
    for (const [i, sarifResult] of run.results.entries()) {
      const finding = result.findings[i];
      const endpoint = finding === undefined ? undefined : findingLocation(finding);
      expect(sarifResult.locations?.[0]).toMatchObject({
        logicalLocations: [{ name: endpoint, fullyQualifiedName: endpoint, kind: "resource" }],
      });
      expect(sarifResult.message.text).toBe(`${finding?.title} at ${endpoint}`);
    }
    expect(run.results[0]?.locations?.[0]).toEqual({
      physicalLocation: { artifactLocation: { uri: "tcp://10.0.0.5:22" } },
      logicalLocations: [
        { name: "10.0.0.5:22/tcp", fullyQualifiedName: "10.0.0.5:22/tcp", kind: "resource" },
      ],
    });
  });

  it("puts CVEs, CVSS scores and PCI in the result properties, and keeps rule tags to security and CWE", () => {
    const run = sarifRun(vmSampleResult());
    expect(run.results[0]?.properties).toEqual({
      qid: 38739,
      severity: 5,
      isNew: true,
      disposition: "counted",
      potential: false,
      cves: ["CVE-2023-38408", "CVE-2023-48795", "CVE-2023-51385", "CVE-2023-51384", "CVE-2021-41617"],
      cvssV2Base: 7.5,
      cvssV3Base: 9.8,
      pci: true,
    });
    expect(run.results[1]?.properties).toMatchObject({ cves: [], cvssV2Base: 9.4, pci: true });
    expect(run.results[1]?.properties).not.toHaveProperty("cvssV3Base");
    for (const rule of run.tool.driver.rules) expect(rule.properties.tags).toEqual(["security"]);
  });

  it("marks potential findings that were not evaluated as suppressed", () => {
    const run = sarifRun(vmSampleResult());
    const potential = run.results.find((r) => r.ruleId === "QID-38628");
    expect(potential?.properties).toMatchObject({ potential: true, disposition: "potential" });
    expect(potential?.suppressions?.[0]?.justification).toBe(
      "potential vulnerability, not evaluated (no --include-potential)",
    );
  });
});

describe("VM severity counts: counted apart from the potential detections not evaluated", () => {
  it("Markdown shows the counted findings as the headline, potential ones in their own column", () => {
    const markdown = renderMarkdown(vmSampleResult());
    const start = markdown.indexOf("### Vulnerabilities by severity");
    const table = markdown
      .slice(start)
      .split("\n")
      .filter((line) => line.startsWith("|"));
    const cells = (row: string | undefined) =>
      (row ?? "")
        .slice(2, -2)
        .split(" | ")
        .map((c) => c.trim());
    expect(cells(table[0])).toEqual(["Severity", "Level", "Counted", "Potential, not evaluated"]);
    expect(cells(table.find((row) => row.includes("Medium")))).toEqual(["2", "Medium", "1", "1"]);
    expect(cells(table.find((row) => row.includes("Total")))).toEqual(["**Total**", "", "**5**", "**2**"]);
    expect(markdown).toContain(
      "Counted: what the criteria saw. 2 more in the findings list were not counted by any criterion: 2 potential, not evaluated.",
    );
  });

  it("HTML draws the bars from the counted findings and names the potential ones beside them", () => {
    const html = renderHtml(vmSampleResult());
    expect(html).toContain(
      '<rect class="bar" x="110" y="92" width="460" height="20" rx="3"><title>2 Medium: 1</title></rect>',
    );
    expect(html).toContain(
      '<li>2 Medium: <span class="muted">not counted: 1 potential, not evaluated</span></li>',
    );
    expect(html).toContain("5 vulnerabilities counted by the criteria.");
  });
});

describe("VM scan facts when the hosts are not known", () => {
  it("says so instead of writing an empty host list", () => {
    const result = vmSampleResult();
    if (result.scan === undefined) throw new Error("fixture");
    result.scan.target = { id: "", name: undefined, url: undefined };
    expect(renderMarkdown(result)).toContain("- **Hosts:** unknown\n");
    expect(renderHtml(result)).toContain("<dt>Hosts</dt><dd>unknown</dd>");
  });
});

describe("dates", () => {
  it("are ISO 8601 UTC to the second in the summary and the report, also a VM date saved in MM/DD/YYYY form", () => {
    const vm = vmSampleResult();
    if (vm.scan === undefined) throw new Error("fixture");
    vm.scan.launchedDate = "12/01/2026 11:20:00";
    const was = sampleResult();
    for (const result of [vm, was]) {
      const markdown = renderMarkdown(result);
      const html = renderHtml(result);
      expect(markdown).toContain(`at ${escapeMarkdown("2026-12-01T12:00:00Z")}._`);
      expect(html).toContain("at 2026-12-01T12:00:00Z.</footer>");
    }
    expect(renderMarkdown(vm)).toContain(`- **Launched:** ${escapeMarkdown("2026-12-01T11:20:00Z")}\n`);
    expect(renderHtml(vm)).toContain("<dt>Launched</dt><dd>2026-12-01T11:20:00Z</dd>");
    expect(renderMarkdown(was)).toContain(`- **Launched:** ${escapeMarkdown("2026-12-01T11:50:00Z")}\n`);
  });
});
