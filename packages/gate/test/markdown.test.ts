import { describe, expect, it } from "vitest";
import type { GateFinding, GateResult } from "../src/index.js";
import { escapeMarkdown, MARKDOWN_FINDING_ROWS, renderMarkdown } from "../src/writers/markdown.js";
import { cleanResult, erroredScanResult, errorResult, HOSTILE, sampleResult } from "./sample-result.js";

const PORTAL = "https://qualysguard.qg2.apps.qualys.com/was/#/reports/online-reports/email-report/scan/4242";

/** Pipes that GFM treats as cell separators: those not preceded by a backslash (cmark-gfm's table scanner). */
function separatorCount(line: string): number {
  return line.match(/(?<!\\)\|/g)?.length ?? 0;
}

/** Every table in the document, as its lines (header, alignment row, body rows). */
function tables(markdown: string): string[][] {
  const found: string[][] = [];
  let current: string[] = [];
  for (const line of markdown.split("\n")) {
    if (line.startsWith("|")) {
      current.push(line);
    } else if (current.length > 0) {
      found.push(current);
      current = [];
    }
  }
  if (current.length > 0) found.push(current);
  return found;
}

/** The table that follows the heading starting with `heading`. */
function tableAfter(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n${heading}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const table = tables(markdown.slice(start))[0];
  if (table === undefined) throw new Error(`no table after ${heading}`);
  return table;
}

function rowContaining(lines: readonly string[], text: string): string {
  const row = lines.find((line) => line.includes(text));
  if (row === undefined) throw new Error(`no row contains ${text}`);
  return row;
}

/** The cells of a table row, split on separator pipes (still escaped). */
function cells(row: string): string[] {
  return row
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((cell) => cell.trim());
}

function manyFindings(
  count: number,
  template: GateFinding,
  overrides: Partial<GateFinding> = {},
): GateFinding[] {
  return Array.from({ length: count }, (_, n) => ({
    ...template,
    fingerprint: `fp-${n}`,
    qid: 200000 + n,
    ...overrides,
  }));
}

function firstFinding(result: GateResult): GateFinding {
  const finding = result.findings[0];
  if (finding === undefined) throw new Error("sample result has no findings");
  return finding;
}

describe("renderMarkdown", () => {
  it("renders a failed result with the verdict, reason and scan facts", () => {
    const markdown = renderMarkdown(sampleResult());
    expect(markdown.startsWith("## FAILED: Qualys WAS gate failed\n")).toBe(true);
    expect(markdown).toContain("failed\\: Severity 5 vulnerabilities\\: 1, more than 0");
    expect(markdown).toContain("- **Scan:** 4242 · pipeline\\_azureDevOps\\_build\\_7\\_&lt;script&gt;");
    expect(markdown).toContain("https\\://vulnerable.scenario.example/");
    expect(markdown).toContain("- **Status:** scan FINISHED · results FINISHED · authentication SUCCESSFUL");
    expect(markdown).toContain("- **Duration:** 10 min");
    expect(markdown).toContain(`- **Report:** [Open the scan report in the Qualys portal](<${PORTAL}>)`);
  });

  it("marks the failing criterion FAIL and shows configured and actual values", () => {
    const criteria = tableAfter(renderMarkdown(sampleResult()), "### Pass/fail criteria");
    expect(cells(criteria[0] ?? "")).toEqual([
      "Result",
      "Criterion",
      "Configured",
      "Actual",
      "Action",
      "New only",
    ]);
    expect(cells(rowContaining(criteria, "Severity 5"))).toEqual([
      "FAIL",
      "Severity 5 vulnerabilities\\: more than 0 fails",
      "&gt; 0",
      "1",
      "fail",
      "no",
    ]);
    expect(cells(rowContaining(criteria, "Severity 4"))[0]).toBe("PASS");
    expect(cells(rowContaining(criteria, "Any of these QIDs"))).toEqual([
      "WARN",
      "Any of these QIDs",
      "150001-150002",
      "150001, 150002",
      "warn",
      "yes",
    ]);
  });

  it("counts by severity from the findings and notes where the scan statistics differ", () => {
    const markdown = renderMarkdown(sampleResult());
    const severities = tableAfter(markdown, "### Vulnerabilities by severity");
    expect(cells(severities[0] ?? "")).toEqual(["Severity", "Level", "Counted", "Scan statistics"]);
    expect(cells(rowContaining(severities, "Urgent"))).toEqual(["5", "Urgent", "1", "2 (differs)"]);
    expect(cells(rowContaining(severities, "Minimal"))).toEqual(["1", "Minimal", "1", "1"]);
    expect(cells(rowContaining(severities, "Total"))).toEqual(["**Total**", "", "**5**", "**6**"]);
    expect(markdown).toContain(
      "Note: the findings list and the scan's own statistics disagree (severity 5: 1 in the findings list, 2 in the statistics)",
    );
  });

  it("lists exceptions and warnings", () => {
    const markdown = renderMarkdown(sampleResult());
    const exceptions = tableAfter(markdown, "### Exceptions");
    expect(cells(rowContaining(exceptions, "accepted"))).toEqual([
      "accepted-risk-1",
      "QID 150004",
      expect.stringContaining("Compensating WAF rule &lt;script&gt;"),
      "2027-01-31",
      "applied",
      "1",
    ]);
    expect(cells(rowContaining(exceptions, "old-one"))[4]).toBe("expired");
    expect(markdown).toContain("### Warnings\n\n- severity counts differ\\: findings list 1/1/1/1/1");
  });

  it("lists counted findings first, then excepted and excluded ones, with escaped URLs that are not links", () => {
    const markdown = renderMarkdown(sampleResult());
    const findings = tableAfter(markdown, "### Vulnerabilities (6)");
    expect(cells(findings[0] ?? "")).toEqual([
      "QID",
      "Title",
      "Severity",
      "URL",
      "Authenticated",
      "New",
      "Disposition",
    ]);
    const body = findings.slice(2).map(cells);
    expect(body.map((row) => row[0])).toEqual(["150003", "150002", "150001", "150000", "150004", "150005"]);
    expect(body.map((row) => row[6])).toEqual([
      "counted",
      "counted",
      "counted",
      "counted",
      "excepted\\: accepted-risk-1",
      "excluded",
    ]);
    const critical = body[0] ?? [];
    expect(critical[2]).toBe("4 Critical");
    expect(critical[3]).toMatch(/^https\\:\/\/shop\.example\/item\?id=3&amp;q=%3Cscript%3E/);
    expect(critical[3]).toContain("(parameter q)");
    expect(critical[4]).toBe("no");
    expect(critical[5]).toBe("yes");
    expect(body[1]?.[4]).toBe("yes");
    expect(body[4]?.[2]).toBe("5 Urgent");
    // The only link in the document is the portal one.
    expect(markdown.match(/\]\(/g)).toHaveLength(1);
    expect(markdown).not.toContain("https://shop.example");
  });

  it("escapes hostile text: no raw HTML, and every table row has as many cell separators as its header", () => {
    const markdown = renderMarkdown(sampleResult());
    expect(markdown).not.toContain(HOSTILE);
    expect(markdown).not.toContain("<script");
    expect(markdown).not.toContain("<img");
    expect(markdown).not.toContain("<img");
    expect(markdown).toContain('&lt;script&gt;alert("x")&lt;/script&gt;');
    // Apart from the portal link's <…> destination there is no angle bracket at all.
    expect(markdown.replace(`(<${PORTAL}>)`, "")).not.toMatch(/[<>]/);
    const found = tables(markdown);
    expect(found).toHaveLength(4);
    for (const table of found) {
      const expected = separatorCount(table[0] ?? "");
      for (const row of table) expect(separatorCount(row), row).toBe(expected);
    }
  });

  it("keeps line breaks and pipes inside a cell from breaking the table", () => {
    const result = sampleResult();
    const finding = firstFinding(result);
    finding.title = "line one\nline two\r\n| injected | cells |\u2028end";
    finding.url = "https://a.example/x|y\nz";
    const criterion = result.criteria[0];
    if (criterion !== undefined) criterion.label = "a|b\nc";
    const markdown = renderMarkdown(result);
    for (const table of tables(markdown)) {
      const expected = separatorCount(table[0] ?? "");
      for (const row of table) expect(separatorCount(row), row).toBe(expected);
    }
    expect(markdown).toContain("| line one line two \\| injected \\| cells \\| end |");
    expect(markdown).toContain("https\\://a.example/x\\|y z");
    expect(markdown).toContain("| FAIL | a\\|b c |");
  });

  it("links the portal only for http(s) URLs", () => {
    const result = sampleResult();
    if (result.scan === undefined) throw new Error("sample result has a scan");
    result.scan.portalUrl = "javascript:alert(1)//https://qualys.example/";
    const markdown = renderMarkdown(result);
    expect(markdown).not.toContain("](");
    expect(markdown).toContain("- **Report:** javascript\\:alert(1)//https\\:");
  });

  it("renders a clean result", () => {
    const markdown = renderMarkdown(cleanResult());
    expect(
      markdown.startsWith("## PASSED: Qualys WAS gate passed\n\npassed\\: all criteria satisfied\n"),
    ).toBe(true);
    const severities = tableAfter(markdown, "### Vulnerabilities by severity");
    expect(cells(rowContaining(severities, "Urgent"))).toEqual(["5", "Urgent", "0", "0"]);
    expect(markdown).not.toContain("disagree");
    expect(markdown).not.toContain("### Exceptions");
    expect(markdown).not.toContain("### Warnings");
    expect(markdown).toContain("### Vulnerabilities (0)\n\nNo vulnerabilities were found.");
    const criteria = tableAfter(markdown, "### Pass/fail criteria");
    for (const row of criteria.slice(2)) expect(cells(row)[0]).toBe("PASS");
  });

  it("renders an error result without a scan", () => {
    const markdown = renderMarkdown(errorResult());
    expect(markdown.startsWith("## ERROR: Qualys gate error\n")).toBe(true);
    expect(markdown).toContain("**Error** (auth): Qualys rejected the credentials (INVALID\\_CREDENTIALS)");
    expect(markdown).toContain("No scan information");
    expect(markdown).toContain("No criteria were evaluated.");
    // No results: no table of zeros that would read as a clean scan.
    expect(markdown).toContain(
      "### Vulnerabilities by severity\n\nThe scan gave no results, so no vulnerability was looked at.",
    );
    expect(markdown).not.toContain("No vulnerabilities were found");
    expect(markdown).not.toContain("](");
  });

  it("renders an incomplete result", () => {
    const result: GateResult = {
      ...sampleResult(),
      verdict: "incomplete",
      exitCode: 2,
      incomplete: { reason: "scan CANCELED after 2 h", handling: "fail" },
    };
    const markdown = renderMarkdown(result);
    expect(markdown.startsWith("## INCOMPLETE: Qualys WAS gate incomplete\n")).toBe(true);
    expect(markdown).toContain("**Incomplete scan** (fails the run): scan CANCELED after 2 h");
  });

  it(`caps the vulnerabilities table at ${MARKDOWN_FINDING_ROWS} rows`, () => {
    const result = sampleResult();
    result.findings = manyFindings(600, firstFinding(result));
    const markdown = renderMarkdown(result);
    const findings = tableAfter(markdown, "### Vulnerabilities (600)");
    expect(findings).toHaveLength(2 + 500);
    expect(markdown).toContain("…and 100 more findings are in result.json.");
  });

  it("stops early so that the summary stays below GitHub's 1 MiB limit", () => {
    const result = sampleResult();
    const huge = "&".repeat(5000);
    result.findings = manyFindings(600, firstFinding(result), { title: huge, url: huge, param: huge });
    const markdown = renderMarkdown(result);
    expect(Buffer.byteLength(markdown, "utf8")).toBeLessThan(1024 * 1024);
    const rows = tableAfter(markdown, "### Vulnerabilities (600)").length - 2;
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(500);
    expect(markdown).toContain(`…and ${600 - rows} more findings are in result.json.`);
  });
});

describe("escapeMarkdown", () => {
  it("escapes Markdown syntax characters and turns line breaks into spaces", () => {
    expect(escapeMarkdown("a*b_c`d[e](f)!#|~$@:.")).toBe("a\\*b\\_c\\`d\\[e\\](f)!#\\|\\~$\\@\\:.");
    expect(escapeMarkdown("<b>&amp;</b>")).toBe("&lt;b&gt;&amp;amp;&lt;/b&gt;");
    // Autolinks stay text; line-start syntax is escaped only where it would start a block.
    expect(escapeMarkdown("see https://x.example and www.x.example or a@b.example")).toBe(
      "see https\\://x.example and www\\.x.example or a\\@b.example",
    );
    expect(escapeMarkdown("# title")).toBe("\\# title");
    expect(escapeMarkdown("- item")).toBe("\\- item");
    expect(escapeMarkdown("1. item")).toBe("1\\. item");
    expect(escapeMarkdown("10.0.0.5")).toBe("10.0.0.5");
    expect(escapeMarkdown("-1 day")).toBe("-1 day");
    expect(escapeMarkdown("one\ntwo\r\nthree\rfour\tfive")).toBe("one two three four five");
    expect(escapeMarkdown("back\\slash")).toBe("back\\\\slash");
  });

  it("replaces control and bidirectional override characters", () => {
    expect(escapeMarkdown("a\u0000b\u202Ec")).toBe("a\uFFFDb\uFFFDc");
  });
});

describe("renderMarkdown: a scan that gave no results", () => {
  it("shows its criteria as not evaluated, never as passed, and never says nothing was found", () => {
    const markdown = renderMarkdown(erroredScanResult());
    expect(markdown.startsWith("## INCOMPLETE: Qualys WAS gate incomplete\n")).toBe(true);
    const criteria = tableAfter(markdown, "### Pass/fail criteria");
    expect(cells(rowContaining(criteria, "Severity 5"))).toEqual([
      "NOT EVALUATED",
      "Severity 5 (Urgent) vulnerabilities\\: more than 0 fails",
      "&gt; 0",
      "the scan gave no results\\: scan 4242 ended ERROR (results status SCAN\\_INTERNAL\\_ERROR)",
      "fail",
      "no",
    ]);
    expect(cells(rowContaining(criteria, "Severity 4"))[0]).toBe("NOT EVALUATED");
    expect(markdown).not.toContain("| PASS |");
    expect(markdown).not.toContain("No vulnerabilities were found");
    expect(markdown).toContain("### Vulnerabilities (0)\n\nThe scan gave no results");
  });
});

describe("renderMarkdown: severity counts", () => {
  it("counts excluded and excepted findings apart from the counted ones, and names why", () => {
    const result = sampleResult();
    result.severityCounts.counted = [1, 1, 1, 1, 0];
    result.severityCounts.notCounted.excluded = [0, 0, 0, 0, 1];
    result.severityCounts.notCounted.excepted = [1, 0, 0, 0, 0];
    const markdown = renderMarkdown(result);
    const severities = tableAfter(markdown, "### Vulnerabilities by severity");
    expect(cells(severities[0] ?? "")).toEqual([
      "Severity",
      "Level",
      "Counted",
      "Excluded (QID or CVE)",
      "Excepted",
      "Scan statistics",
    ]);
    expect(cells(rowContaining(severities, "Urgent")).slice(0, 5)).toEqual(["5", "Urgent", "0", "1", "0"]);
    expect(markdown).toContain(
      "Counted: what the criteria saw. 2 more in the findings list were not counted by any criterion: 1 excluded by QID or CVE, 1 excepted.",
    );
  });
});
