/**
 * The HTML views of a gate result. report.html is one self-contained HTML5 page with the verdict, the scan, the
 * severity chart (inline SVG), the pass/fail criteria (the pass/fail table of Qualys' Azure DevOps WAS connector:
 * ✓/✗ with configured and actual values), exceptions, warnings and the vulnerabilities, each with its detail. It
 * makes no network request of any kind: inline CSS only, no script, no image, no font, and a
 * Content-Security-Policy that would block all of those even if an escaping bug let markup through. The only
 * outside address is the portal link, and only when it is http(s). In `strict` mode (`HtmlMode`) the page has no
 * inline style either and links its stylesheet, a file beside it, for a server's strict Content-Security-Policy.
 *
 * The parts of the page (`renderVerdict`, `renderScanDetails`, `renderSeverityChart`, `renderCriteriaTable`,
 * `renderFindingsTable`, `renderFindingDetail`, …) and the stylesheet (`REPORT_CSS`) are exported for the other
 * HTML views (the Azure DevOps build results section and tab), so every view shows the same thing the same way.
 * Each part is a pure function returning escaped HTML; this module and its imports use no Node.js API, so a
 * browser bundle can include them.
 */

import {
  type HostSummary,
  type KbInline,
  parseKbHtml,
  SEVERITY_NAMES,
  type Severity,
  type SeverityCounts,
} from "@qualys-connector/model";
import type { CriterionResult, ExceptionReport, GateFinding, GateResult } from "../result.js";
import { escapeHtml } from "./html-text.js";
import {
  authenticationLabel,
  countAt,
  cveSummary,
  cvssLabel,
  dispositionLabel,
  excerpt,
  formatDuration,
  HEADLINES,
  hostEndpoint,
  isVmResult,
  kindLabel,
  NO_RESULTS,
  notCountedSentence,
  notCountedShown,
  OUTCOME_LABELS,
  pciLabel,
  reportDate,
  reportOrder,
  severityLabel,
} from "./report-text.js";
import { severityChartSvg } from "./severity-chart.js";

/** Rows of the vulnerabilities table; beyond this a browser struggles and result.json holds the rest. */
export const HTML_FINDING_ROWS = 5000;

/** Rows of the VM hosts table, for the same reason. */
export const HTML_HOST_ROWS = 5000;

/**
 * Evidence shown per finding. The scanner's output (up to RESULTS_MAX characters in the model) can be a whole
 * file listing; the start is what a reader needs to recognise the detection, and result.json keeps the rest.
 */
export const HTML_EVIDENCE_CHARS = 2000;

/** Nothing may load; inline styles are the one thing allowed (and `data:` images, should one ever be needed). */
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/**
 * How report.html carries its stylesheet. `inline`: one self-contained file (a `<style>` element). `strict`: no
 * inline style at all, the stylesheet linked as REPORT_STYLESHEET beside the page, for servers whose
 * Content-Security-Policy forbids inline styles and `data:` URIs (Jenkins serves archived files with
 * `sandbox; default-src 'none'; img-src 'self'; style-src 'self';`,
 * https://www.jenkins.io/doc/book/security/configuring-content-security-policy/).
 */
export type HtmlMode = "inline" | "strict";

/** The stylesheet a `strict` report.html links to, written beside it (its text is REPORT_CSS). */
export const REPORT_STYLESHEET = "report.css";

/** The policy of a `strict` page: its own stylesheet from its own origin, nothing else. */
const STRICT_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'self'; img-src 'self'";

export interface HtmlOptions {
  /** Default `inline`. */
  mode?: HtmlMode;
}

const SEVERITIES_DESCENDING: readonly Severity[] = [5, 4, 3, 2, 1];

/**
 * The stylesheet of every HTML view: report.html inlines it, the Azure DevOps views ship it as a .css file.
 * System fonts only (a web font would be a request). No `>` combinators, `url(` or `@import` anywhere.
 */
export const REPORT_CSS = `
body { margin: 0; padding: 1.5rem; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #fff; }
main { max-width: 1200px; margin: 0 auto; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; }
.banner { padding: 1rem 1.25rem; border-radius: 6px; border: 1px solid; }
.banner p { margin: .25rem 0 0; }
.verdict-passed { background: #dafbe1; border-color: #1a7f37; }
.verdict-failed { background: #ffebe9; border-color: #cf222e; }
.verdict-incomplete { background: #fff8c5; border-color: #9a6700; }
.verdict-error { background: #f6e8ff; border-color: #8250df; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.url { overflow-wrap: anywhere; font-family: ui-monospace, SFMono-Regular, Consolas, monospace; font-size: .85rem; }
.outcome-pass td.mark { color: #1a7f37; }
.outcome-fail td.mark { color: #cf222e; font-weight: 600; }
.outcome-warn td.mark { color: #9a6700; font-weight: 600; }
.outcome-not-evaluated td.mark { color: #57606a; font-weight: 600; }
td.mark .sym { display: inline-block; width: 1.1em; font-size: 1.1em; }
h1 .badge { display: inline-block; padding: 0 .5rem; margin-right: .4rem; border-radius: 4px; color: #fff; font-size: 1.1rem; letter-spacing: .03em; }
.verdict-passed .badge { background: #1a7f37; }
.verdict-failed .badge { background: #cf222e; }
.verdict-incomplete .badge { background: #9a6700; }
.verdict-error .badge { background: #8250df; }
td.mark { white-space: nowrap; cursor: help; }
svg.severity-chart { display: block; max-width: 100%; height: auto; }
svg.severity-chart text { fill: #1f2328; font-size: 14px; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
svg.severity-chart .track { fill: #f6f8fa; }
.sev-5 .bar { fill: #a40e26; }
.sev-4 .bar { fill: #e5534b; }
.sev-3 .bar { fill: #f0883e; }
.sev-2 .bar { fill: #d4a72c; }
.sev-1 .bar { fill: #6e7781; }
ul.chart-notes { margin: .5rem 0 0; padding-left: 1.25rem; }
.differs { color: #9a6700; font-weight: 600; }
.note { color: #57606a; }
.muted { color: #57606a; }
tr.excepted td, tr.excluded td, tr.potential td { color: #57606a; }
details { margin-top: .25rem; }
details .kb { overflow-wrap: anywhere; margin: .25rem 0; }
details .kb p, details .kb ul, details .kb ol { margin: .25rem 0; }
details .evidence { white-space: pre-wrap; }
details .evidence { font-family: ui-monospace, SFMono-Regular, Consolas, monospace; font-size: .85rem; background: #f6f8fa; padding: .25rem .5rem; }
details h3 { font-size: .9rem; margin: .5rem 0 0; }
details dl.facts { margin: .25rem 0; }
details .evidence-label { margin: .35rem 0 0; font-size: .85rem; font-weight: 600; }
footer { margin-top: 2rem; color: #57606a; font-size: .85rem; }
`;

/**
 * The portal URL for an `href`, or undefined unless it parses as an http(s) URL: a `javascript:` or `data:`
 * address must never become a link. The parsed form is used, so what is linked is what the browser would open.
 */
export function portalHref(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  return url.protocol === "https:" || url.protocol === "http:" ? url.href : undefined;
}

/** The verdict banner: the verdict as a word and why, the error and the incomplete-scan note when there are any. */
export function renderVerdict(result: GateResult): string {
  // The verdict as a coloured word, not an emoji: without an emoji font an emoji is an empty box.
  const { label, word } = HEADLINES[result.verdict];
  const kind = result.scan === undefined ? "" : ` ${result.scan.kind.toUpperCase()}`;
  const lines = [
    `<h1><span class="badge">${label}</span> Qualys${escapeHtml(kind)} gate ${word}</h1>`,
    `<p class="reason">${escapeHtml(result.reason)}</p>`,
  ];
  if (result.error !== undefined) {
    lines.push(
      `<p><strong>Error</strong> (${escapeHtml(result.error.kind)}): ${escapeHtml(result.error.message)}</p>`,
    );
  }
  if (result.incomplete !== undefined) {
    const handling = result.incomplete.handling === "fail" ? "fails the run" : "reported as a warning";
    lines.push(
      `<p><strong>Incomplete scan</strong> (${handling}): ${escapeHtml(result.incomplete.reason)}</p>`,
    );
  }
  return `<header class="banner verdict-${result.verdict}">\n${lines.join("\n")}\n</header>`;
}

function fact(term: string, detail: string): string {
  return `<dt>${escapeHtml(term)}</dt><dd>${detail}</dd>`;
}

/**
 * The scan details: scan id and name, reference, the web app (WAS) or hosts (VM), statuses, launch date,
 * duration, and the link to the scan report in the Qualys portal (only when that address is http or https).
 */
export function renderScanDetails(result: GateResult): string {
  const scan = result.scan;
  if (scan === undefined) {
    return `<section>\n<h2>Scan</h2>\n<p class="muted">No scan information: the run ended before a scan was known.</p>\n</section>`;
  }
  const facts: string[] = [];
  const name = scan.name === undefined ? "" : ` · ${escapeHtml(scan.name)}`;
  facts.push(fact("Scan", `${escapeHtml(scan.id)}${name}`));
  if (scan.reference !== undefined) facts.push(fact("Reference", escapeHtml(scan.reference)));
  if (scan.kind === "vm") {
    // A VM target is the scanned IPs or EC2 instance ids themselves: no "id" prefix, and no URL.
    const hosts = [scan.target.name, scan.target.id].filter((part): part is string => part !== undefined);
    const named = hosts.filter((part) => part !== "");
    facts.push(fact("Hosts", named.length > 0 ? named.map(escapeHtml).join(" · ") : "unknown"));
    // VM scans report no separate results or authentication status as a rule; "unknown" would only be noise.
    const status = [
      `scan ${escapeHtml(scan.status ?? "unknown")}`,
      scan.resultsStatus === undefined ? undefined : `results ${escapeHtml(scan.resultsStatus)}`,
      scan.authStatus === undefined ? undefined : `authentication ${escapeHtml(scan.authStatus)}`,
    ].filter((part): part is string => part !== undefined);
    facts.push(fact("Status", status.join(" · ")));
  } else {
    const target = [
      scan.target.name === undefined ? undefined : escapeHtml(scan.target.name),
      `id ${escapeHtml(scan.target.id)}`,
      scan.target.url === undefined ? undefined : escapeHtml(scan.target.url),
    ].filter((part): part is string => part !== undefined);
    facts.push(fact("Web application", target.join(" · ")));
    facts.push(
      fact(
        "Status",
        [
          `scan ${escapeHtml(scan.status ?? "unknown")}`,
          `results ${escapeHtml(scan.resultsStatus ?? "unknown")}`,
          `authentication ${escapeHtml(scan.authStatus ?? "unknown")}`,
        ].join(" · "),
      ),
    );
  }
  if (scan.launchedDate !== undefined)
    facts.push(fact("Launched", escapeHtml(reportDate(scan.launchedDate))));
  if (scan.durationSec !== undefined)
    facts.push(fact("Duration", escapeHtml(formatDuration(scan.durationSec))));
  const href = portalHref(scan.portalUrl);
  if (href !== undefined) {
    // noreferrer: the report may sit on an internal CI server whose address should not leak to the portal.
    facts.push(
      fact(
        "Report",
        `<a href="${escapeHtml(href)}" rel="noopener noreferrer">Open the scan report in the Qualys portal</a>`,
      ),
    );
  } else if (scan.portalUrl !== undefined) {
    facts.push(
      fact(
        "Report",
        `${escapeHtml(scan.portalUrl)} <span class="muted">(not an http or https address)</span>`,
      ),
    );
  }
  return `<section>\n<h2>Scan</h2>\n<dl class="facts">\n${facts.join("\n")}\n</dl>\n</section>`;
}

/**
 * What a severity's bar does not show: findings not counted by reason, the baseline part, and the scan statistics
 * where they differ from the findings list.
 */
function chartNote(result: GateResult, severity: Severity): string | undefined {
  const { notCounted, inBaseline, fromFindings, fromStats } = result.severityCounts;
  const notes: string[] = [];
  const others = notCountedShown(result)
    .filter(({ key }) => countAt(notCounted[key], severity) > 0)
    .map(({ key, phrase }) => `${countAt(notCounted[key], severity)} ${phrase}`);
  if (others.length > 0)
    notes.push(`<span class="muted">not counted: ${escapeHtml(others.join(", "))}</span>`);
  const known = inBaseline === undefined ? 0 : countAt(inBaseline, severity);
  if (known > 0) notes.push(`<span class="muted">${known} of the counted in the baseline</span>`);
  // Statistics that agree are said once under the list, not on every severity.
  if (fromStats !== undefined && countAt(fromStats, severity) !== countAt(fromFindings, severity)) {
    notes.push(`<span class="differs">scan statistics: ${countAt(fromStats, severity)}, differs</span>`);
  }
  if (notes.length === 0) return undefined;
  return `<li>${severity} ${SEVERITY_NAMES[severity]}: ${notes.join("; ")}</li>`;
}

/**
 * The severity chart section. The bars (inline SVG) are the counted findings, what the criteria saw; findings no
 * criterion counted are named under the chart by reason, and the scan's own statistics (which count every
 * finding) after that. A scan without results gets a sentence, never a chart of zeros that would read as clean.
 */
export function renderSeverityChart(result: GateResult): string {
  if (!result.resultsAvailable) {
    return `<section>\n<h2>Vulnerabilities by severity</h2>\n<p class="muted">${escapeHtml(NO_RESULTS)}</p>\n</section>`;
  }
  const { counted, fromFindings, fromStats, differ } = result.severityCounts;
  const total = counted.reduce((sum, n) => sum + n, 0);
  const rest = notCountedSentence(result);
  const notes = SEVERITIES_DESCENDING.map((severity) => chartNote(result, severity)).filter(
    (note): note is string => note !== undefined,
  );
  const parts = [
    "<section>",
    "<h2>Vulnerabilities by severity</h2>",
    `<p class="muted">${total} ${total === 1 ? "vulnerability" : "vulnerabilities"} counted by the criteria.${rest === undefined ? "" : ` ${escapeHtml(rest)}`}</p>`,
    severityChartSvg(counted, "Vulnerabilities counted by the criteria, by severity"),
  ];
  if (notes.length > 0) parts.push('<ul class="chart-notes">', ...notes, "</ul>");
  if (fromStats !== undefined && !differ) {
    parts.push(`<p class="muted">The scan's own statistics agree with the findings list.</p>`);
  }
  if (differ && fromStats !== undefined) {
    const mismatches = SEVERITIES_DESCENDING.filter(
      (severity) => countAt(fromFindings, severity) !== countAt(fromStats, severity),
    ).map(
      (severity) =>
        `severity ${severity}: ${countAt(fromFindings, severity)} in the findings list, ${countAt(fromStats, severity)} in the statistics`,
    );
    parts.push(
      `<p class="differs">Note: the findings list and the scan's own statistics disagree (${escapeHtml(mismatches.join("; "))}). The findings list is what the criteria use.</p>`,
    );
  }
  parts.push("</section>");
  return parts.join("\n");
}

function countCells(counts: SeverityCounts): string[] {
  return SEVERITIES_DESCENDING.map((severity) => `<td class="num">${countAt(counts, severity)}</td>`);
}

/**
 * The per-host summary of Qualys' Jenkins VM connector (jenkinsci/qualys-vm-plugin): confirmed and potential
 * vulnerabilities by severity, and information gathered. Undefined for a WAS result.
 */
export function renderHostsTable(result: GateResult): string | undefined {
  const hosts: readonly HostSummary[] | undefined = result.hosts;
  if (hosts === undefined) return undefined;
  const heading = `<h2>Hosts (${hosts.length})</h2>`;
  if (hosts.length === 0) {
    return `<section>\n${heading}\n<p class="muted">The scan reported no hosts.</p>\n</section>`;
  }
  const shown = hosts.slice(0, HTML_HOST_ROWS);
  const rows = shown.map((host) =>
    [
      "<tr>",
      `<td>${escapeHtml(host.ip)}${host.netbios ? `<div class="muted">${escapeHtml(host.netbios)}</div>` : ""}</td>`,
      `<td class="url">${host.dns ? escapeHtml(host.dns) : "—"}</td>`,
      `<td>${host.os ? escapeHtml(host.os) : "—"}</td>`,
      ...countCells(host.confirmed),
      ...countCells(host.potential),
      `<td class="num">${host.information}</td>`,
      "</tr>",
    ].join(""),
  );
  const severityHeads = SEVERITIES_DESCENDING.map((severity) => `<th>${severity}</th>`).join("");
  const parts = [
    "<section>",
    heading,
    ...table(
      // Two header rows: the severity columns are grouped under Confirmed and Potential, as in the Jenkins VM
      // connector's summary.
      `<thead><tr><th rowspan="2">Host</th><th rowspan="2">DNS</th><th rowspan="2">OS</th><th colspan="5">Confirmed</th><th colspan="5">Potential</th><th rowspan="2">Information gathered</th></tr><tr>${severityHeads}${severityHeads}</tr></thead>`,
      rows,
    ),
  ];
  const more = hosts.length - shown.length;
  if (more > 0) {
    parts.push(
      `<p class="note">…and ${more} more ${more === 1 ? "host is" : "hosts are"} in result.json.</p>`,
    );
  }
  parts.push("</section>");
  return parts.join("\n");
}

/**
 * The outcome mark of a criterion: a symbol for the eye and the word for everyone (the word is what a reader
 * without the symbol's font, or a screen reader, gets).
 */
const OUTCOME_SYMBOLS: Readonly<Record<CriterionResult["outcome"], string>> = {
  pass: "✓",
  fail: "✗",
  warn: "!",
  "not-evaluated": "–",
};

/**
 * The pass/fail criteria: one row per criterion with ✓/✗, the criterion, its configured and its actual value,
 * the action and whether it counts only new findings. As in Qualys' Azure DevOps WAS connector, hovering the
 * outcome shows the configured and the actual value too.
 */
export function renderCriteriaTable(result: GateResult): string {
  const criteria = result.criteria;
  if (criteria.length === 0) {
    return `<section>\n<h2>Pass/fail criteria</h2>\n<p class="muted">No criteria were evaluated.</p>\n</section>`;
  }
  const rows = criteria.map((criterion) => {
    const actual = criterion.notEvaluatedReason ?? criterion.actual;
    const hover = `Configured: ${criterion.configured} — Actual: ${actual}`;
    return [
      `<tr class="outcome-${criterion.outcome}">`,
      `<td class="mark" title="${escapeHtml(hover)}"><span class="sym" aria-hidden="true">${OUTCOME_SYMBOLS[criterion.outcome]}</span>${OUTCOME_LABELS[criterion.outcome]}</td>`,
      `<td>${escapeHtml(criterion.label)}</td>`,
      `<td>${escapeHtml(criterion.configured)}</td>`,
      `<td>${escapeHtml(actual)}</td>`,
      `<td>${criterion.action}</td>`,
      `<td>${criterion.newOnly ? "yes" : "no"}</td>`,
      "</tr>",
    ].join("");
  });
  return [
    "<section>",
    "<h2>Pass/fail criteria</h2>",
    ...table(
      "<thead><tr><th>Result</th><th>Criterion</th><th>Configured</th><th>Actual</th><th>Action</th><th>New only</th></tr></thead>",
      rows,
    ),
    "</section>",
  ].join("\n");
}

/** A table's lines: its `<thead>` (already rendered) and body rows. */
function table(head: string, rows: readonly string[]): string[] {
  return ["<table>", head, "<tbody>", ...rows, "</tbody>", "</table>"];
}

/** The policy's exceptions with their status and matches; undefined when the policy has none. */
export function renderExceptionsTable(result: GateResult): string | undefined {
  const exceptions: readonly ExceptionReport[] = result.exceptions;
  if (exceptions.length === 0) return undefined;
  const rows = exceptions.map((exception) =>
    [
      "<tr>",
      `<td>${escapeHtml(exception.id)}</td>`,
      `<td>${escapeHtml(exception.scope)}</td>`,
      `<td>${escapeHtml(exception.reason)}</td>`,
      `<td>${escapeHtml(exception.expires)}</td>`,
      `<td>${exception.status}</td>`,
      `<td class="num">${exception.matched}</td>`,
      "</tr>",
    ].join(""),
  );
  return [
    "<section>",
    "<h2>Exceptions</h2>",
    ...table(
      "<thead><tr><th>Exception</th><th>Scope</th><th>Reason</th><th>Expires</th><th>Status</th><th>Matched</th></tr></thead>",
      rows,
    ),
    "</section>",
  ].join("\n");
}

/** The policy and run warnings; undefined when there are none. */
export function renderWarnings(result: GateResult): string | undefined {
  if (result.warnings.length === 0) return undefined;
  const items = result.warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`);
  return ["<section>", "<h2>Warnings</h2>", "<ul>", ...items, "</ul>", "</section>"].join("\n");
}

function kbInlineHtml(inlines: readonly KbInline[]): string {
  return inlines
    .map((inline) => {
      if (inline.kind === "break") return "<br>";
      if (inline.kind === "link") {
        // Shown as text with its address: the portal link stays the report's only outside address.
        return escapeHtml(
          inline.href === undefined || inline.text === inline.href
            ? inline.text
            : `${inline.text} (${inline.href})`,
        );
      }
      let html = escapeHtml(inline.text);
      if (inline.emphasis) html = `<em>${html}</em>`;
      if (inline.strong) html = `<strong>${html}</strong>`;
      return html;
    })
    .join("");
}

/**
 * KnowledgeBase HTML (solution, diagnosis) for the report: rebuilt from the parsed blocks with a few elements of
 * our own (p, br, ul/ol/li, strong, em), every piece of text escaped, links as text with their address. No tag or attribute of the source is
 * ever copied, so a script, an event handler or a `javascript:` link in it cannot reach the page. Empty when the
 * text has no content.
 */
export function kbHtml(source: string | undefined): string {
  if (source === undefined) return "";
  return parseKbHtml(source)
    .map((block) => {
      if (block.kind === "paragraph") return `<p>${kbInlineHtml(block.content)}</p>`;
      const tag = block.ordered ? "ol" : "ul";
      return `<${tag}>${block.items.map((inlines) => `<li>${kbInlineHtml(inlines)}</li>`).join("")}</${tag}>`;
    })
    .join("");
}

/** The CWE, OWASP, WASC, CVE and CVSS facts of a finding's definition, as `<dt>/<dd>` pairs; none when unknown. */
function classificationFacts(finding: GateFinding): string[] {
  const definition = finding.definition;
  if (definition === undefined) return [];
  const lists: [string, readonly string[]][] = [
    ["CWE", definition.cwe],
    ["OWASP", definition.owasp],
    ["WASC", definition.wasc],
    ["CVE", definition.cves],
  ];
  const facts = lists
    .filter(([, values]) => values.length > 0)
    .map(([term, values]) => fact(term, escapeHtml(values.join(", "))));
  const cvss = cvssLabel(definition);
  if (cvss !== "—") facts.push(fact("CVSS", escapeHtml(cvss)));
  return facts;
}

/** One piece of evidence as escaped, cut text; empty when there is none. */
function evidenceBlock(text: string | undefined, label?: string): string {
  if (text === undefined || text.trim() === "") return "";
  const heading = label === undefined ? "" : `<p class="evidence-label">${escapeHtml(label)}</p>`;
  return `${heading}<div class="kb evidence">${escapeHtml(excerpt(text, HTML_EVIDENCE_CHARS))}</div>`;
}

/**
 * The scanner's evidence: a VM detection's results, a WAS finding's payload and the response it matched. Text the
 * scanned host or web app sent back, so escaped like everything else.
 */
function evidenceHtml(finding: GateFinding): string {
  return [
    evidenceBlock(finding.results),
    evidenceBlock(finding.evidence?.request, "Request (the payload sent)"),
    evidenceBlock(finding.evidence?.response, "Response"),
  ].join("");
}

/** "Description, impact and solution" from ["description", "impact", "solution"]. */
function listWords(words: readonly string[]): string {
  const text =
    words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words.at(-1) ?? ""}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A finding's detail as one `<details>` element: description (the KnowledgeBase diagnosis), impact (its
 * consequence), solution, classification (CWE, OWASP, WASC, CVEs, CVSS) and the scanner's evidence (VM results, WAS
 * request and response), each part only when known; empty when nothing is. KnowledgeBase text goes through
 * `kbHtml`, evidence (text the scanned host sent back) is escaped like everything else and cut to
 * HTML_EVIDENCE_CHARS.
 */
export function renderFindingDetail(finding: GateFinding): string {
  const definition = finding.definition;
  const parts: { word: string; html: string }[] = [];
  const knowledge: [string, string | undefined][] = [
    ["description", definition?.diagnosis],
    ["impact", definition?.consequence],
    ["solution", definition?.solution],
  ];
  for (const [word, source] of knowledge) {
    const html = kbHtml(source);
    if (html !== "") parts.push({ word, html: `<div class="kb">${html}</div>` });
  }
  const facts = classificationFacts(finding);
  if (facts.length > 0)
    parts.push({ word: "classification", html: `<dl class="facts">${facts.join("")}</dl>` });
  const evidence = evidenceHtml(finding);
  if (evidence !== "") parts.push({ word: "evidence", html: evidence });
  if (parts.length === 0) return "";
  const body = parts.map(({ word, html }) => `<h3>${listWords([word])}</h3>${html}`).join("");
  return `<details><summary>${listWords(parts.map(({ word }) => word))}</summary>${body}</details>`;
}

function findingRow(finding: GateFinding): string {
  // Finding URLs are chosen by the scanned app: shown as text, never as a link.
  const url = finding.url === undefined ? "—" : escapeHtml(finding.url);
  const param =
    finding.param === undefined ? "" : `<div class="muted">parameter ${escapeHtml(finding.param)}</div>`;
  return [
    `<tr class="${finding.disposition}">`,
    `<td class="num">${finding.qid}</td>`,
    `<td>${escapeHtml(finding.title)}${renderFindingDetail(finding)}</td>`,
    `<td>${escapeHtml(severityLabel(finding.severity))}</td>`,
    `<td class="url">${url}${param}</td>`,
    `<td>${authenticationLabel(finding)}</td>`,
    `<td>${finding.isNew ? "yes" : "no"}</td>`,
    `<td>${escapeHtml(dispositionLabel(finding))}</td>`,
    "</tr>",
  ].join("");
}

function vmFindingRow(finding: GateFinding): string {
  const cves = cveSummary(finding.definition?.cves ?? []);
  return [
    `<tr class="${finding.disposition}">`,
    `<td class="num">${finding.qid}</td>`,
    `<td>${escapeHtml(finding.title)}${renderFindingDetail(finding)}</td>`,
    `<td>${escapeHtml(severityLabel(finding.severity))}</td>`,
    `<td>${kindLabel(finding)}</td>`,
    `<td class="url">${escapeHtml(hostEndpoint(finding) ?? finding.target) || "—"}</td>`,
    `<td>${cves === "" ? "—" : escapeHtml(cves)}</td>`,
    `<td>${escapeHtml(cvssLabel(finding.definition))}</td>`,
    `<td>${pciLabel(finding.definition)}</td>`,
    `<td>${finding.isNew ? "yes" : "no"}</td>`,
    `<td>${escapeHtml(dispositionLabel(finding))}</td>`,
    "</tr>",
  ].join("");
}

/** The column heads of the vulnerabilities table of a WAS and of a VM result, in order. */
export const FINDING_COLUMNS = {
  was: ["QID", "Title", "Severity", "URL", "Authenticated", "New", "Disposition"],
  vm: ["QID", "Title", "Severity", "Type", "Host:port", "CVEs", "CVSS", "PCI", "New", "Disposition"],
} as const;

const COLUMN_NOTES = {
  was: "Authenticated: yes = found only while logged in, no = available unauthenticated, both = found both ways.",
  vm: "Type: confirmed = verified by the scanner, potential = could not be verified (evaluated only with --include-potential). CVSS: v3 base score where known, else v2.",
};

export interface FindingsTableOptions {
  /** Rows shown at most; the rest is counted in a note pointing to result.json. Default HTML_FINDING_ROWS. */
  maxRows?: number;
}

/**
 * The vulnerabilities table: WAS rows with QID, title, severity, URL and parameter, authenticated, new or baseline
 * and disposition (counted, excluded, or excepted with the exception); VM rows with host, type, CVEs, CVSS and PCI.
 * Counted findings first, most severe first. Each row's title cell holds the finding's detail
 * (`renderFindingDetail`); each row's class is its disposition.
 */
export function renderFindingsTable(result: GateResult, options: FindingsTableOptions = {}): string {
  const findings = result.findings;
  const vm = isVmResult(result);
  const heading = `<h2>Vulnerabilities (${findings.length})</h2>`;
  if (findings.length === 0) {
    const text = result.resultsAvailable ? "No vulnerabilities were found." : NO_RESULTS;
    return `<section>\n${heading}\n<p class="muted">${escapeHtml(text)}</p>\n</section>`;
  }
  const kind = vm ? "vm" : "was";
  const shown = reportOrder(findings).slice(0, options.maxRows ?? HTML_FINDING_ROWS);
  const parts = [
    "<section>",
    heading,
    ...table(
      `<thead><tr>${FINDING_COLUMNS[kind].map((name) => `<th>${escapeHtml(name)}</th>`).join("")}</tr></thead>`,
      shown.map(vm ? vmFindingRow : findingRow),
    ),
  ];
  const more = findings.length - shown.length;
  if (more > 0) {
    parts.push(
      `<p class="note">…and ${more} more ${more === 1 ? "finding is" : "findings are"} in result.json.</p>`,
    );
  }
  parts.push(`<p class="note">${escapeHtml(COLUMN_NOTES[kind])}</p>`, "</section>");
  return parts.join("\n");
}

/**
 * Renders a gate result as one HTML5 page (report.html). Pure: the caller writes the returned text (and, in
 * `strict` mode, REPORT_CSS as REPORT_STYLESHEET beside it). Every piece of text is escaped with `escapeHtml`;
 * the page has no script and loads nothing but, in `strict` mode, its stylesheet.
 */
export function renderHtml(result: GateResult, options: HtmlOptions = {}): string {
  const strict = options.mode === "strict";
  const { word } = HEADLINES[result.verdict];
  const scanTitle = result.scan === undefined ? "" : ` — scan ${result.scan.id}`;
  const sections = [
    renderVerdict(result),
    renderScanDetails(result),
    renderSeverityChart(result),
    renderHostsTable(result),
    renderCriteriaTable(result),
    renderExceptionsTable(result),
    renderWarnings(result),
    renderFindingsTable(result),
  ].filter((section): section is string => section !== undefined);
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${strict ? STRICT_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY}">`,
    // The report may be opened from a CI artifact store: the portal should not learn that address.
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(`Qualys gate ${word}${scanTitle}`)}</title>`,
    strict ? `<link rel="stylesheet" href="${REPORT_STYLESHEET}">` : `<style>${REPORT_CSS}</style>`,
    "</head>",
    "<body>",
    "<main>",
    ...sections,
    renderFooter(result),
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** The line naming the tool, its version and when the result was written. */
export function renderFooter(result: GateResult): string {
  return `<footer>Generated by ${escapeHtml(result.tool.name)} ${escapeHtml(result.tool.version)} at ${escapeHtml(reportDate(result.generatedAt))}.</footer>`;
}
