import { describe, expect, it } from "vitest";
import { gitlabDastValidator } from "../../../test/gitlab-dast-schema.js";
import type { GateResult } from "../src/index.js";
import { gitlabSeverity, renderGitlabDast } from "../src/writers/gitlab-dast.js";
import { cleanResult, erroredScanResult, errorResult, HOSTILE, sampleResult } from "./sample-result.js";

interface DastReport {
  version: string;
  scan: {
    analyzer: { id: string; version: string };
    scanner: { id: string };
    type: string;
    start_time: string;
    end_time: string;
    status: string;
    messages: { level: string; value: string }[];
    scanned_resources: { method: string; url: string; type: string }[];
  };
  vulnerabilities: {
    id: string;
    name: string;
    severity: string;
    description?: string;
    solution?: string;
    identifiers: { type: string; name: string; value: string; url?: string }[];
    location: { hostname?: string; path?: string; param?: string; method?: string };
    evidence?: { summary: string };
    links?: { url: string }[];
  }[];
}

const validate = gitlabDastValidator();

function render(result: GateResult): DastReport {
  const text = renderGitlabDast(result);
  const report: unknown = JSON.parse(text);
  if (!validate(report)) throw new Error(`invalid report: ${JSON.stringify(validate.errors, null, 2)}`);
  return report as DastReport;
}

describe("renderGitlabDast", () => {
  it("the subset schema rejects what GitLab would reject (it can fail)", () => {
    const report = JSON.parse(renderGitlabDast(sampleResult()));
    expect(validate(report)).toBe(true);
    expect(validate({ ...report, scan: { ...report.scan, start_time: "2026-12-01T11:50:00Z" } })).toBe(false);
    expect(validate({ ...report, vulnerabilities: [{ id: "x", identifiers: [], location: {} }] })).toBe(
      false,
    );
    const { scanned_resources: _, ...scanWithout } = report.scan;
    expect(validate({ ...report, scan: scanWithout })).toBe(false);
  });

  it("writes a 15.x DAST report with one vulnerability per counted finding", () => {
    const result = sampleResult();
    const report = render(result);
    expect(report.version).toMatch(/^15\.\d+\.\d+$/);
    expect(report.scan).toMatchObject({
      type: "dast",
      status: "success",
      start_time: "2026-12-01T11:50:00",
      end_time: "2026-12-01T12:00:00",
      analyzer: { id: "qualys-connector", version: "0.1.0" },
      scanner: { id: "qualys-was" },
    });
    const counted = result.findings.filter((f) => f.disposition === "counted");
    expect(report.vulnerabilities).toHaveLength(counted.length);
    expect(counted.length).toBeLessThan(result.findings.length);
    const first = report.vulnerabilities[0];
    const finding = counted[0];
    expect(first?.identifiers[0]).toEqual({
      type: "qualys_was_qid",
      name: `Qualys QID ${finding?.qid}`,
      value: String(finding?.qid),
    });
    expect(first?.identifiers).toContainEqual({
      type: "cwe",
      name: "CWE-79",
      value: "79",
      url: "https://cwe.mitre.org/data/definitions/79.html",
    });
    expect(first?.location).toEqual({
      hostname: "https://shop.example",
      path: new URL(finding?.url ?? "").pathname + new URL(finding?.url ?? "").search,
      param: "q",
    });
    expect(report.scan.scanned_resources).toContainEqual({
      method: "GET",
      url: "https://vulnerable.scenario.example/",
      type: "url",
    });
  });

  it("maps Qualys severities to GitLab's words", () => {
    expect([1, 2, 3, 4, 5].map((s) => gitlabSeverity(s as 1 | 2 | 3 | 4 | 5))).toEqual([
      "Low",
      "Low",
      "Medium",
      "High",
      "Critical",
    ]);
    expect(gitlabSeverity(undefined)).toBe("Unknown");
    const result = sampleResult();
    const bySeverity = new Map(
      render(result).vulnerabilities.map((v) => [v.identifiers[0]?.value, v.severity]),
    );
    for (const f of result.findings.filter((x) => x.disposition === "counted"))
      expect(bySeverity.get(String(f.qid))).toBe(gitlabSeverity(f.severity));
  });

  it("keeps stable ids: the same finding has the same id in another run", () => {
    const a = render(sampleResult()).vulnerabilities.map((v) => v.id);
    const b = render(sampleResult()).vulnerabilities.map((v) => v.id);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(a.length);
    for (const id of a)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("keeps hostile text as data: JSON-escaped, read back unchanged, markup of KB text removed", () => {
    const result = sampleResult();
    const [first] = result.findings;
    if (first) first.title = `${first.title}\u001b[31m"}],"version":"0\n::error::x`;
    const text = renderGitlabDast(result);
    const report = render(result);
    expect(report.vulnerabilities[0]?.name).toContain(HOSTILE);
    expect(report.vulnerabilities[0]?.name).toContain('\u001b[31m"}],"version":"0\n::error::x');
    expect(report.version).toBe("15.0.7");
    expect(report.vulnerabilities[0]?.solution).not.toContain("<script>");
    // The escape character and the line break stay escaped in the file: no line of it starts a workflow command.
    expect(text.includes("\u001b")).toBe(false);
    expect(text).toContain("\\u001b");
    expect(text.split("\n").some((line) => line.startsWith("::"))).toBe(false);
  });

  it("cuts long text to the schema's limits", () => {
    const result = sampleResult();
    for (const f of result.findings) {
      f.title = "T".repeat(1000);
      if (f.definition) f.definition.solution = "S".repeat(20_000);
    }
    const report = render(result);
    expect(report.vulnerabilities[0]?.name.length).toBeLessThanOrEqual(255);
    expect(report.vulnerabilities[0]?.solution?.length).toBeLessThanOrEqual(7000);
  });

  it("a clean run has no vulnerabilities and a successful scan", () => {
    const report = render(cleanResult());
    expect(report.vulnerabilities).toEqual([]);
    expect(report.scan.status).toBe("success");
  });

  it("an errored or incomplete run is a failed scan that says why", () => {
    for (const result of [errorResult(), erroredScanResult()]) {
      const report = render(result);
      expect(report.scan.status).toBe("failure");
      expect(report.scan.messages.some((m) => m.level === "fatal" || m.level === "warn")).toBe(true);
    }
  });

  it("locates a VM detection by host and port, with its CVEs as identifiers", () => {
    const result = sampleResult();
    const [first] = result.findings;
    if (!first?.definition) throw new Error("sample has a finding");
    first.host = { ip: "10.0.0.5", dns: undefined, netbios: undefined, os: undefined };
    first.port = "443";
    first.protocol = "tcp";
    first.url = undefined;
    first.definition.cves = ["CVE-2021-44228", "not a cve"];
    if (result.scan) result.scan.kind = "vm";
    const report = render(result);
    const v = report.vulnerabilities[0];
    expect(v?.location).toEqual({ hostname: "10.0.0.5:443/tcp" });
    expect(v?.identifiers[0]?.type).toBe("qualys_vm_qid");
    expect(v?.identifiers.filter((i) => i.type === "cve").map((i) => i.value)).toEqual(["CVE-2021-44228"]);
    expect(report.scan.scanner.id).toBe("qualys-vm");
  });
});
