import { describe, expect, it } from "vitest";
import type { GateFinding, GateResult } from "../src/index.js";
import { HTML_FINDING_ROWS, renderHtml } from "../src/writers/html.js";
import { escapeHtml } from "../src/writers/html-text.js";
import {
  cleanResult,
  erroredScanResult,
  errorResult,
  HOSTILE,
  HOSTILE_AS_KB_TEXT,
  sampleResult,
} from "./sample-result.js";

const PORTAL = "https://qualysguard.qg2.apps.qualys.com/was/#/reports/online-reports/email-report/scan/4242";
const CSP = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`;

/** Attributes the writer may emit; anything else (an `on…` handler, `src`, `srcset`, `action` …) fails. */
const ALLOWED_ATTRIBUTES = new Set([
  "lang",
  "charset",
  "http-equiv",
  "name",
  "content",
  "class",
  "title",
  "role",
  "aria-label",
  "aria-hidden",
  "href",
  "rel",
  // The severity chart's SVG: geometry only, every value a number.
  "viewBox",
  "width",
  "height",
  "x",
  "y",
  "rx",
]);

/** The page split into the contents of its one `<style>` element and everything else. */
function splitStyle(html: string): { css: string; markup: string } {
  const match = /<style>([^<]*)<\/style>/.exec(html);
  if (match === null) throw new Error("no <style> element");
  return { css: match[1] ?? "", markup: html.replace(match[0], "<style></style>") };
}

interface Tag {
  raw: string;
  name: string;
  attributes: { name: string; value: string | undefined }[];
}

/**
 * Every tag of the markup, checked against a strict grammar: a tag name, then attributes whose values are
 * double-quoted and contain no `"`, `<` or `>`. An unescaped quote or bracket in any value breaks the grammar.
 */
function tags(markup: string): Tag[] {
  const found: Tag[] = [];
  for (const [raw] of markup.matchAll(/<[^>]*>/g)) {
    if (raw === "<!DOCTYPE html>") continue;
    expect(raw).toMatch(/^<\/?[a-z][a-z0-9]*(?:\s+[a-zA-Z][a-zA-Z-]*(?:="[^"<>]*")?)*\s*>$/);
    const name = /^<\/?([a-z0-9]+)/.exec(raw)?.[1] ?? "";
    const attributes = [...raw.matchAll(/\s([a-zA-Z][a-zA-Z-]*)(?:="([^"]*)")?/g)].map((m) => ({
      name: m[1] ?? "",
      value: m[2],
    }));
    found.push({ raw, name, attributes });
  }
  return found;
}

/** The text between the tags, with the character references of escapeHtml decoded. */
function textOf(markup: string): string {
  return markup
    .replace(/<[^>]*>/g, " ")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&");
}

function rowOf(html: string, text: string): string {
  const row = html.split("\n").find((line) => line.startsWith("<tr") && line.includes(text));
  if (row === undefined) throw new Error(`no row contains ${text}`);
  return row;
}

function cellsOf(row: string): string[] {
  return [...row.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1] ?? "");
}

function firstFinding(result: GateResult): GateFinding {
  const finding = result.findings[0];
  if (finding === undefined) throw new Error("sample result has no findings");
  return finding;
}

/** Checks that hold for every page, whatever the result. */
function expectSafePage(html: string): void {
  expect(html.startsWith("<!DOCTYPE html>\n")).toBe(true);
  expect(html).toContain(CSP);
  expect(html.toLowerCase()).not.toContain("<script");
  expect(html.toLowerCase()).not.toContain("<link");
  expect(html).not.toContain(HOSTILE);
  const { css, markup } = splitStyle(html);
  expect(css).not.toMatch(/url\(|@import|<|expression\(/i);
  for (const tag of tags(markup)) {
    for (const attribute of tag.attributes) {
      expect(ALLOWED_ATTRIBUTES.has(attribute.name), tag.raw).toBe(true);
      if (attribute.name === "href") {
        expect(tag.name).toBe("a");
        expect(attribute.value ?? "").toMatch(/^https?:\/\//);
        expect(tag.raw).toContain('rel="noopener noreferrer"');
      } else {
        // No address anywhere in an attribute but the portal href.
        expect(attribute.value ?? "", tag.raw).not.toMatch(/https?:|\/\//);
      }
      // The chart is drawn with numbers in attributes: no style attribute, so a CSP without inline styles shows it.
      if (["viewBox", "width", "height", "x", "y", "rx"].includes(attribute.name))
        expect(attribute.value, tag.raw).toMatch(/^\d+(\.\d)?(?: \d+(\.\d)?)*$/);
    }
  }
  expect(
    tags(markup).filter((tag) => tag.attributes.some((a) => a.name === "href")).length,
  ).toBeLessThanOrEqual(1);
}

describe("renderHtml", () => {
  it("renders a failed result with the verdict banner, scan facts and the portal link", () => {
    const html = renderHtml(sampleResult());
    expectSafePage(html);
    expect(html).toContain(
      '<header class="banner verdict-failed">\n<h1><span class="badge">FAILED</span> Qualys WAS gate failed</h1>',
    );
    expect(html).toContain('<p class="reason">failed: Severity 5 vulnerabilities: 1, more than 0</p>');
    expect(html).toContain("<dt>Scan</dt><dd>4242 · pipeline_azureDevOps_build_7_&lt;script&gt;");
    expect(html).toContain(
      "<dt>Status</dt><dd>scan FINISHED · results FINISHED · authentication SUCCESSFUL</dd>",
    );
    expect(html).toContain("<dt>Duration</dt><dd>10 min</dd>");
    expect(html).toContain("https://vulnerable.scenario.example/");
    expect(html).toContain(
      `<a href="${PORTAL}" rel="noopener noreferrer">Open the scan report in the Qualys portal</a>`,
    );
  });

  it("shows FAIL on the failing criterion with configured and actual values, also on hover", () => {
    const html = renderHtml(sampleResult());
    const failing = rowOf(html, "Severity 5 vulnerabilities");
    expect(failing.startsWith('<tr class="outcome-fail">')).toBe(true);
    expect(cellsOf(failing)).toEqual([
      '<span class="sym" aria-hidden="true">✗</span>FAIL',
      "Severity 5 vulnerabilities: more than 0 fails",
      "&gt; 0",
      "1",
      "fail",
      "no",
    ]);
    expect(failing).toContain(
      '<td class="mark" title="Configured: &gt; 0 — Actual: 1"><span class="sym" aria-hidden="true">✗</span>FAIL</td>',
    );
    const passing = rowOf(html, "Severity 4 vulnerabilities");
    expect(passing).toContain(
      '<td class="mark" title="Configured: &gt; 2 — Actual: 1"><span class="sym" aria-hidden="true">✓</span>PASS</td>',
    );
    const warning = rowOf(html, "Any of these QIDs");
    expect(warning).toContain(
      'title="Configured: 150001-150002 — Actual: 150001, 150002"><span class="sym" aria-hidden="true">!</span>WARN</td>',
    );
    // Every outcome cell carries the hover text.
    const marks = [...html.matchAll(/<td class="mark"( title="[^"]*")?>/g)];
    expect(marks).toHaveLength(4);
    for (const [, title] of marks) expect(title).toMatch(/Configured: .+ — Actual: /);
  });

  it("draws the severity chart from the counted findings and notes where the scan statistics differ", () => {
    const html = renderHtml(sampleResult());
    // The bars (SVG) are the counted findings, scaled to the largest of them; the statistics are notes below.
    const svg = /<svg class="severity-chart"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? "";
    expect(svg).toContain(
      'aria-label="Vulnerabilities counted by the criteria, by severity: 5 Urgent: 1, 4 Critical: 1,',
    );
    const bars = [
      ...svg.matchAll(/<g class="severity sev-(\d)">.*?<rect class="bar" x="110" y="\d+" width="([\d.]+)"/g),
    ];
    expect(bars.map((m) => [m[1], m[2]])).toEqual([
      ["5", "460"],
      ["4", "460"],
      ["3", "460"],
      ["2", "460"],
      ["1", "460"],
    ]);
    expect(svg).toContain("<title>5 Urgent: 1</title>");
    expect(html).toContain('<li>5 Urgent: <span class="differs">scan statistics: 2, differs</span></li>');
    // Severity 1 agrees with the statistics and has nothing else to say: no note.
    expect(html).not.toContain("<li>1 Minimal");
    expect(html).toContain(
      "Note: the findings list and the scan's own statistics disagree (severity 5: 1 in the findings list, 2 in the statistics).",
    );
  });

  it("lists exceptions, warnings and the vulnerabilities with solutions in <details>", () => {
    const html = renderHtml(sampleResult());
    expect(cellsOf(rowOf(html, "accepted-risk-1</td>"))).toEqual([
      "accepted-risk-1",
      "QID 150004",
      `Compensating WAF rule ${escapeHtml(HOSTILE)}`,
      "2027-01-31",
      "applied",
      "1",
    ]);
    expect(html).toContain("<li>severity counts differ: findings list 1/1/1/1/1");
    const rows = html
      .split("\n")
      .filter((line) => line.startsWith('<tr class="c') || line.startsWith('<tr class="ex'));
    expect(rows.map((row) => cellsOf(row)[0])).toEqual([
      "150003",
      "150002",
      "150001",
      "150000",
      "150004",
      "150005",
    ]);
    expect(rows.map((row) => cellsOf(row)[6])).toEqual([
      "counted",
      "counted",
      "counted",
      "counted",
      "excepted: accepted-risk-1",
      "excluded",
    ]);
    const critical = cellsOf(rows[0] ?? "");
    expect(critical[1]).toBe(
      `Reflected XSS 3 ${escapeHtml(HOSTILE)}<details><summary>Description, solution and classification</summary><h3>Description</h3><div class="kb"><p>Diagnosis ${escapeHtml(HOSTILE_AS_KB_TEXT)}</p></div><h3>Solution</h3><div class="kb"><p>Encode output. ${escapeHtml(HOSTILE_AS_KB_TEXT)}</p></div><h3>Classification</h3><dl class="facts"><dt>CWE</dt><dd>CWE-79</dd><dt>OWASP</dt><dd>A03</dd><dt>WASC</dt><dd>WASC-8</dd><dt>CVSS</dt><dd>6.1 (v3)</dd></dl></details>`,
    );
    expect(critical[2]).toBe("4 Critical");
    expect(critical[3]).toMatch(
      /^https:\/\/shop\.example\/item\?id=3&amp;q=%3Cscript%3E.*<div class="muted">parameter q<\/div>$/,
    );
    expect(critical[4]).toBe("no");
    expect(cellsOf(rows[1] ?? "")[4]).toBe("yes");
    expect(cellsOf(rows[4] ?? "")[2]).toBe("5 Urgent");
  });

  it("escapes hostile text everywhere and keeps addresses out of attributes", () => {
    const html = renderHtml(sampleResult());
    expectSafePage(html);
    expect(html).toContain(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;",
    );
    const { markup } = splitStyle(html);
    const tagList = tags(markup);
    expect(tagList.some((tag) => tag.raw.includes("onerror") || tag.raw.includes("src="))).toBe(false);
    // Every http(s) address is either the portal href or escaped text.
    const inTags = tagList.flatMap((tag) => [...tag.raw.matchAll(/https?:\/\/[^"]*/g)].map((m) => m[0]));
    expect(inTags).toEqual([PORTAL]);
    const text = textOf(markup);
    expect(text).toContain(HOSTILE);
    expect(text).toContain(firstFinding(sampleResult()).url);
  });

  it("links the portal only for http(s) URLs", () => {
    const result = sampleResult();
    if (result.scan === undefined) throw new Error("sample result has a scan");
    result.scan.portalUrl = `javascript:alert(1)//"><script>x</script>`;
    const html = renderHtml(result);
    expectSafePage(html);
    expect(html).not.toContain("href=");
    expect(html).toContain("javascript:alert(1)//&quot;&gt;&lt;script&gt;x&lt;/script&gt;");
  });

  it("renders a clean result", () => {
    const html = renderHtml(cleanResult());
    expectSafePage(html);
    expect(html).toContain('<h1><span class="badge">PASSED</span> Qualys WAS gate passed</h1>');
    expect(html).toContain(
      '<rect class="bar" x="110" y="2" width="0" height="20" rx="3"><title>5 Urgent: 0</title></rect>',
    );
    expect(html).not.toContain("disagree");
    expect(html).toContain("The scan's own statistics agree with the findings list.");
    expect(html).not.toContain("<h2>Exceptions</h2>");
    expect(html).not.toContain("<h2>Warnings</h2>");
    expect(html).toContain("No vulnerabilities were found.");
    expect(
      html.match(
        /<td class="mark" title="Configured: [^"]+ — Actual: 0"><span class="sym" aria-hidden="true">✓<\/span>PASS<\/td>/g,
      ),
    ).toHaveLength(4);
    expect(html).toContain(`href="${PORTAL}"`);
  });

  it("renders an error result without a scan", () => {
    const html = renderHtml(errorResult());
    expectSafePage(html);
    expect(html).toContain(
      '<header class="banner verdict-error">\n<h1><span class="badge">ERROR</span> Qualys gate error</h1>',
    );
    expect(html).toContain(
      "<p><strong>Error</strong> (auth): Qualys rejected the credentials (INVALID_CREDENTIALS)</p>",
    );
    expect(html).toContain("No scan information");
    expect(html).toContain("No criteria were evaluated.");
    expect(html).not.toContain("scan statistics");
    expect(html).not.toContain("href=");
  });

  it(`caps the vulnerabilities table at ${HTML_FINDING_ROWS} rows`, () => {
    const result = sampleResult();
    const template = firstFinding(result);
    result.findings = Array.from({ length: 5100 }, (_, n) => ({
      ...template,
      fingerprint: `fp-${n}`,
      qid: n,
    }));
    const html = renderHtml(result);
    expect(html.match(/<tr class="counted">/g)).toHaveLength(5000);
    expect(html).toContain("…and 100 more findings are in result.json.");
  });
});

describe("escapeHtml", () => {
  it("escapes the five markup characters", () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
    );
  });

  it("replaces control and bidirectional override characters, keeps line breaks and tabs", () => {
    expect(escapeHtml("a\u0000b\u202Ec\u2066d\ud800e")).toBe("a\uFFFDb\uFFFDc\uFFFDd\uFFFDe");
    expect(escapeHtml("a\tb\nc\r\nd")).toBe("a\tb\nc\r\nd");
    expect(escapeHtml("emoji 😀 stays")).toBe("emoji 😀 stays");
  });
});

describe("renderHtml: a scan that gave no results", () => {
  it("shows its criteria as not evaluated, never as passed, and never says nothing was found", () => {
    const html = renderHtml(erroredScanResult("warn"));
    expectSafePage(html);
    const row = cellsOf(rowOf(html, "Severity 5 (Urgent)"));
    expect(row[0]).toBe('<span class="sym" aria-hidden="true">–</span>NOT EVALUATED');
    expect(row[3]).toBe(
      "the scan gave no results: scan 4242 ended ERROR (results status SCAN_INTERNAL_ERROR)",
    );
    expect(html).toContain('<tr class="outcome-not-evaluated">');
    expect(html).not.toContain(">PASS</td>");
    expect(html).not.toContain("No vulnerabilities were found");
    expect(html).toContain("The scan gave no results, so no vulnerability was looked at.");
    // No chart of zeros that would read as a clean scan.
    expect(html).not.toContain("<svg");
  });
});

describe("renderHtml: a WAS finding's evidence", () => {
  it("shows the payload sent and the response in the finding's detail, escaped", () => {
    const result = sampleResult();
    const first = firstFinding(result);
    first.evidence = { request: `q=${HOSTILE}`, response: `HTTP/1.1 200 OK\n\n${HOSTILE}`, truncated: false };
    const html = renderHtml(result);
    expectSafePage(html);
    const detail =
      /<details><summary>Description, solution, classification and evidence<\/summary>[\s\S]*?<\/details>/.exec(
        html,
      )?.[0] ?? "";
    expect(detail).toContain(
      `<h3>Evidence</h3><p class="evidence-label">Request (the payload sent)</p><div class="kb evidence">q=${escapeHtml(HOSTILE)}</div><p class="evidence-label">Response</p><div class="kb evidence">HTTP/1.1 200 OK\n\n${escapeHtml(HOSTILE)}</div></details>`,
    );
  });
});

describe("renderHtml: KnowledgeBase HTML", () => {
  const KB = `<P>Upgrade to <B>2.4.58</B>.<BR>See <A HREF="https://httpd.apache.org/security/" TARGET="_blank">the advisory</A>.
<P onclick="steal()">Steps:<UL><LI>stop &amp; patch</LI><LI><a href="javascript:alert(1)">restart</a></LI></UL>
<script>alert(document.cookie)</script><IMG SRC=x ONERROR=alert(1)>&lt;b&gt;literal&lt;/b&gt;`;

  it("rebuilds it as a few safe elements of its own: paragraphs, line breaks, lists, emphasis", () => {
    const result = sampleResult();
    const first = firstFinding(result);
    if (first.definition === undefined) throw new Error("fixture");
    first.definition.solution = KB;
    const html = renderHtml(result);
    expectSafePage(html);
    expect(html).toContain(
      '<div class="kb"><p>Upgrade to <strong>2.4.58</strong>.<br>See the advisory (https://httpd.apache.org/security/).</p><p>Steps:</p><ul><li>stop &amp; patch</li><li>restart</li></ul><p>&lt;b&gt;literal&lt;/b&gt;</p></div>',
    );
    // Nothing of the KnowledgeBase markup reaches the page, in any case: not a tag, a handler or a script.
    const kb = /<div class="kb">.*?<\/div>/.exec(html)?.[0] ?? "";
    expect(kb).not.toMatch(/<P>|<BR>|<B>|<A |onclick|ONERROR|javascript:|alert|cookie/);
  });
});
