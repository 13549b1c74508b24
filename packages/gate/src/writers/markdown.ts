/**
 * GitHub-flavoured Markdown for summary.md and `$GITHUB_STEP_SUMMARY`: the verdict, the scan, counts by severity,
 * the pass/fail criteria (the pass/fail table of Qualys' Azure DevOps WAS connector), exceptions, warnings
 * and the vulnerabilities. Titles, URLs, parameters and names come from whoever controls the scanned web app,
 * so every string is escaped into plain text and finding URLs are never turned into links.
 */

import {
  type HostSummary,
  SEVERITY_NAMES,
  type Severity,
  type SeverityCounts,
} from "@qualys-connector/model";
import type { CriterionResult, ExceptionReport, GateFinding, GateResult, GateScan } from "../result.js";
import {
  authenticationLabel,
  countAt,
  cveSummary,
  cvssLabel,
  dispositionLabel,
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
  sum,
} from "./report-text.js";

/** Rows of the vulnerabilities table; the rest are only in result.json. */
export const MARKDOWN_FINDING_ROWS = 500;

/**
 * Rows of the VM hosts table. It comes before the vulnerabilities and eats into their byte budget, so a scan of a
 * large range lists its first hosts only; result.json has them all.
 */
export const MARKDOWN_HOST_ROWS = 200;

/**
 * GitHub refuses a step summary above 1 MiB ("$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size
 * of 1024k"). Rows stop early when long titles or URLs would push the document past this budget, which leaves
 * room for the lines after the table and for summaries other steps append to the same job.
 */
const SUMMARY_BYTE_BUDGET = 900 * 1024;

/** Longer cell text is cut: the table is an overview and result.json holds every value in full. */
const CELL_MAX_CHARS = 300;

const SEVERITIES_DESCENDING: readonly Severity[] = [5, 4, 3, 2, 1];

/**
 * What must be escaped for GitHub (and Azure DevOps) to render a value literally, on one line of a table cell:
 * inline syntax (backslash, code, emphasis, links and images, strikethrough, table pipes), raw HTML and entities
 * (`<`, `>`, `&` become entities), autolinks (`:` of `https://`, `@` of an address, the dot of `www.`), and
 * what only matters at the start of a line (headings, lists, setext underlines). Everything else stays readable
 * in the raw file: URLs read as `https\://shop.example/cart?id=1`.
 */
const MARKDOWN_SPECIAL =
  /\r\n|[\r\n\t\f\v\u2028\u2029]|[\\`*_[\]<>&|~:@]|(?<=www)\.|^[#+\-=](?=[\s#=-]|$)|(?<=^\d{1,9})[.)](?=\s|$)/gi;

// Control characters other than whitespace, and bidirectional overrides (see html-text.ts), become U+FFFD.
const UNSAFE_CHARS = /(?![\t\n\v\f\r])\p{Cc}|[\u202A-\u202E\u2066-\u2069]|\p{Cs}/gu;

function markdownEscape(char: string): string {
  switch (char) {
    case "&":
      return "&amp;";
    case "<":
      return "&lt;";
    case ">":
      return "&gt;";
    default:
      // Line breaks would end a table row (or a list item), so every kind of line break becomes a space.
      return char.length > 1 || /\s/.test(char) ? " " : `\\${char}`;
  }
}

/**
 * Escapes text so that GitHub renders it literally, on one line: Markdown syntax characters are backslash-escaped
 * (so `|` becomes `\|` and cannot split a table cell), `&`, `<` and `>` become entities, line breaks become
 * spaces.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(UNSAFE_CHARS, "\uFFFD").replace(MARKDOWN_SPECIAL, markdownEscape);
}

/** Escaped text for a table cell, cut to CELL_MAX_CHARS code points. */
function cell(text: string): string {
  const chars = Array.from(text);
  return escapeMarkdown(chars.length > CELL_MAX_CHARS ? `${chars.slice(0, CELL_MAX_CHARS).join("")}…` : text);
}

function tableRow(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

/** A table whose header and alignment row are literal; body cells must already be escaped. */
function table(header: readonly string[], align: readonly string[], rows: readonly string[]): string {
  return [tableRow(header), tableRow(align), ...rows].join("\n");
}

/**
 * The portal link as a Markdown link destination, or undefined when the value is not an http(s) URL (a
 * `javascript:` or `data:` URL must never become a link). The `<…>` destination form ends only at `>`, which a
 * parsed URL never contains; the few characters it may still hold that matter to Markdown are percent-encoded.
 */
function portalLinkDestination(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  return url.href.replace(/[^!-~]|[\\<>|`"]/g, (char) => encodeURIComponent(char));
}

function verdictSection(result: GateResult): string {
  // The verdict as a word, not an emoji: without an emoji font an emoji is an empty box.
  const { label, word } = HEADLINES[result.verdict];
  const kind = result.scan === undefined ? "" : ` ${result.scan.kind.toUpperCase()}`;
  const lines = [`## ${label}: Qualys${kind} gate ${word}`, "", escapeMarkdown(result.reason)];
  if (result.error !== undefined) {
    lines.push(
      "",
      `**Error** (${escapeMarkdown(result.error.kind)}): ${escapeMarkdown(result.error.message)}`,
    );
  }
  if (result.incomplete !== undefined) {
    const handling = result.incomplete.handling === "fail" ? "fails the run" : "reported as a warning";
    lines.push("", `**Incomplete scan** (${handling}): ${escapeMarkdown(result.incomplete.reason)}`);
  }
  return lines.join("\n");
}

function scanSection(scan: GateScan | undefined): string {
  if (scan === undefined) return "### Scan\n\nNo scan information: the run ended before a scan was known.";
  const facts: string[] = [];
  const name = scan.name === undefined ? "" : ` · ${escapeMarkdown(scan.name)}`;
  facts.push(`- **Scan:** ${escapeMarkdown(scan.id)}${name}`);
  if (scan.reference !== undefined) facts.push(`- **Reference:** ${escapeMarkdown(scan.reference)}`);
  if (scan.kind === "vm") {
    // A VM target is the scanned IPs or EC2 instance ids themselves: no "id" prefix, and no URL.
    const hosts = [scan.target.name, scan.target.id].filter((part): part is string => part !== undefined);
    const named = hosts.filter((part) => part !== "");
    facts.push(`- **Hosts:** ${named.length > 0 ? named.map(escapeMarkdown).join(" · ") : "unknown"}`);
    // VM scans report no separate results or authentication status as a rule; "unknown" would only be noise.
    const status = [
      `scan ${escapeMarkdown(scan.status ?? "unknown")}`,
      scan.resultsStatus === undefined ? undefined : `results ${escapeMarkdown(scan.resultsStatus)}`,
      scan.authStatus === undefined ? undefined : `authentication ${escapeMarkdown(scan.authStatus)}`,
    ].filter((part): part is string => part !== undefined);
    facts.push(`- **Status:** ${status.join(" · ")}`);
  } else {
    const target = [
      scan.target.name === undefined ? undefined : escapeMarkdown(scan.target.name),
      `id ${escapeMarkdown(scan.target.id)}`,
      scan.target.url === undefined ? undefined : escapeMarkdown(scan.target.url),
    ].filter((part): part is string => part !== undefined);
    facts.push(`- **Web application:** ${target.join(" · ")}`);
    const status = [
      `scan ${escapeMarkdown(scan.status ?? "unknown")}`,
      `results ${escapeMarkdown(scan.resultsStatus ?? "unknown")}`,
      `authentication ${escapeMarkdown(scan.authStatus ?? "unknown")}`,
    ];
    facts.push(`- **Status:** ${status.join(" · ")}`);
  }
  if (scan.launchedDate !== undefined)
    facts.push(`- **Launched:** ${escapeMarkdown(reportDate(scan.launchedDate))}`);
  if (scan.durationSec !== undefined) facts.push(`- **Duration:** ${formatDuration(scan.durationSec)}`);
  const destination = portalLinkDestination(scan.portalUrl);
  if (destination !== undefined) {
    facts.push(`- **Report:** [Open the scan report in the Qualys portal](<${destination}>)`);
  } else if (scan.portalUrl !== undefined) {
    facts.push(`- **Report:** ${escapeMarkdown(scan.portalUrl)} (not an http or https address, not linked)`);
  }
  return ["### Scan", "", ...facts].join("\n");
}

/**
 * Counted findings (what the criteria saw) first; then, per reason, the findings no criterion counted, the part of
 * the counted ones already in the baseline, and the scan's own statistics, each column only when it has something.
 */
function severitySection(result: GateResult): string {
  const heading = "### Vulnerabilities by severity";
  if (!result.resultsAvailable) return `${heading}\n\n${NO_RESULTS}`;
  const { counted, notCounted, inBaseline, fromFindings, fromStats, differ } = result.severityCounts;
  const reasons = notCountedShown(result);
  const header = ["Severity", "Level", "Counted", ...reasons.map((r) => r.label)];
  const align = ["---:", ":---", "---:", ...reasons.map(() => "---:")];
  const columns: SeverityCounts[] = [counted, ...reasons.map((r) => notCounted[r.key])];
  if (inBaseline !== undefined) {
    header.push("Counted, in baseline");
    align.push("---:");
    columns.push(inBaseline);
  }
  if (fromStats !== undefined) {
    header.push("Scan statistics");
    align.push("---:");
  }
  const rows = SEVERITIES_DESCENDING.map((severity) => {
    const cells = [
      String(severity),
      SEVERITY_NAMES[severity],
      ...columns.map((counts) => String(countAt(counts, severity))),
    ];
    if (fromStats !== undefined) {
      const stat = countAt(fromStats, severity);
      cells.push(stat === countAt(fromFindings, severity) ? String(stat) : `${stat} (differs)`);
    }
    return tableRow(cells);
  });
  const total = ["**Total**", "", ...columns.map((counts) => `**${sum(counts)}**`)];
  if (fromStats !== undefined) total.push(`**${sum(fromStats)}**`);
  rows.push(tableRow(total));
  const parts = [heading, "", table(header, align, rows), "", "Counted: what the criteria saw."];
  const rest = notCountedSentence(result);
  if (rest !== undefined) parts[parts.length - 1] += ` ${rest}`;
  if (differ && fromStats !== undefined) {
    const mismatches = SEVERITIES_DESCENDING.filter(
      (severity) => countAt(fromFindings, severity) !== countAt(fromStats, severity),
    ).map(
      (severity) =>
        `severity ${severity}: ${countAt(fromFindings, severity)} in the findings list, ${countAt(fromStats, severity)} in the statistics`,
    );
    parts.push(
      "",
      `Note: the findings list and the scan's own statistics disagree (${mismatches.join("; ")}). The findings list is what the criteria use.`,
    );
  }
  return parts.join("\n");
}

/** Counts by severity, most severe first, in one cell ("1 / 0 / 2 / 0 / 0"): ten count columns would not fit. */
function countsCell(counts: SeverityCounts): string {
  return SEVERITIES_DESCENDING.map((severity) => String(countAt(counts, severity))).join(" / ");
}

/**
 * The per-host summary of Qualys' Jenkins VM connector (jenkinsci/qualys-vm-plugin): confirmed and potential
 * vulnerabilities by severity, and information gathered.
 */
function hostsSection(hosts: readonly HostSummary[] | undefined): string | undefined {
  if (hosts === undefined) return undefined;
  const heading = `### Hosts (${hosts.length})`;
  if (hosts.length === 0) return `${heading}\n\nThe scan reported no hosts.`;
  const rows = hosts
    .slice(0, MARKDOWN_HOST_ROWS)
    .map((host) =>
      tableRow([
        cell(host.netbios ? `${host.ip} (${host.netbios})` : host.ip),
        host.dns ? cell(host.dns) : "—",
        host.os ? cell(host.os) : "—",
        countsCell(host.confirmed),
        countsCell(host.potential),
        String(host.information),
      ]),
    );
  const header = ["Host", "DNS", "OS", "Confirmed 5/4/3/2/1", "Potential 5/4/3/2/1", "Information gathered"];
  const align = [":---", ":---", ":---", "---:", "---:", "---:"];
  const parts = [heading, "", table(header, align, rows)];
  const more = hosts.length - rows.length;
  if (more > 0) parts.push("", `…and ${more} more ${more === 1 ? "host is" : "hosts are"} in result.json.`);
  return parts.join("\n");
}

function criteriaSection(criteria: readonly CriterionResult[]): string {
  if (criteria.length === 0) return "### Pass/fail criteria\n\nNo criteria were evaluated.";
  const rows = criteria.map((criterion) =>
    tableRow([
      OUTCOME_LABELS[criterion.outcome],
      cell(criterion.label),
      cell(criterion.configured),
      // Not evaluated: why, instead of an actual value there is none of.
      cell(criterion.notEvaluatedReason ?? criterion.actual),
      criterion.action,
      criterion.newOnly ? "yes" : "no",
    ]),
  );
  const header = ["Result", "Criterion", "Configured", "Actual", "Action", "New only"];
  const align = [":---", ":---", ":---", ":---", ":---", ":---"];
  return ["### Pass/fail criteria", "", table(header, align, rows)].join("\n");
}

function exceptionsSection(exceptions: readonly ExceptionReport[]): string | undefined {
  if (exceptions.length === 0) return undefined;
  const rows = exceptions.map((exception) =>
    tableRow([
      cell(exception.id),
      cell(exception.scope),
      cell(exception.reason),
      cell(exception.expires),
      exception.status,
      String(exception.matched),
    ]),
  );
  const header = ["Exception", "Scope", "Reason", "Expires", "Status", "Matched"];
  const align = [":---", ":---", ":---", ":---", ":---", "---:"];
  return ["### Exceptions", "", table(header, align, rows)].join("\n");
}

function warningsSection(warnings: readonly string[]): string | undefined {
  if (warnings.length === 0) return undefined;
  return ["### Warnings", "", ...warnings.map((warning) => `- ${escapeMarkdown(warning)}`)].join("\n");
}

function findingRow(finding: GateFinding): string {
  const location = finding.url === undefined ? "" : cell(finding.url);
  const param = finding.param === undefined ? "" : ` (parameter ${cell(finding.param)})`;
  return tableRow([
    String(finding.qid),
    cell(finding.title),
    severityLabel(finding.severity),
    `${location}${param}`.trim() || "—",
    authenticationLabel(finding),
    finding.isNew ? "yes" : "no",
    cell(dispositionLabel(finding)),
  ]);
}

function vmFindingRow(finding: GateFinding): string {
  const cves = cveSummary(finding.definition?.cves ?? []);
  return tableRow([
    String(finding.qid),
    cell(finding.title),
    severityLabel(finding.severity),
    kindLabel(finding),
    cell(hostEndpoint(finding) ?? finding.target) || "—",
    cves === "" ? "—" : cell(cves),
    cvssLabel(finding.definition),
    pciLabel(finding.definition),
    finding.isNew ? "yes" : "no",
    cell(dispositionLabel(finding)),
  ]);
}

const WAS_COLUMNS = {
  header: ["QID", "Title", "Severity", "URL", "Authenticated", "New", "Disposition"],
  align: ["---:", ":---", ":---", ":---", ":---", ":---", ":---"],
  note: "Authenticated: yes = found only while logged in, no = available unauthenticated, both = found both ways.",
};

const VM_COLUMNS = {
  header: ["QID", "Title", "Severity", "Type", "Host:port", "CVEs", "CVSS", "PCI", "New", "Disposition"],
  align: ["---:", ":---", ":---", ":---", ":---", ":---", ":---", ":---", ":---", ":---"],
  note: "Type: confirmed = verified by the scanner, potential = could not be verified (evaluated only with --include-potential). CVSS: v3 base score where known, else v2.",
};

/** The vulnerabilities table, stopping at MARKDOWN_FINDING_ROWS rows or when `byteBudget` would be exceeded. */
function findingsSection(
  findings: readonly GateFinding[],
  byteBudget: number,
  vm: boolean,
  resultsAvailable: boolean,
): string {
  const heading = `### Vulnerabilities (${findings.length})`;
  if (findings.length === 0)
    return `${heading}\n\n${resultsAvailable ? "No vulnerabilities were found." : NO_RESULTS}`;
  const { header, align, note } = vm ? VM_COLUMNS : WAS_COLUMNS;
  const renderRow = vm ? vmFindingRow : findingRow;
  const rows: string[] = [];
  let bytes = 0;
  for (const finding of reportOrder(findings)) {
    if (rows.length >= MARKDOWN_FINDING_ROWS) break;
    const row = renderRow(finding);
    bytes += Buffer.byteLength(row, "utf8") + 1;
    if (bytes > byteBudget) break;
    rows.push(row);
  }
  const parts = [heading, "", table(header, align, rows)];
  const more = findings.length - rows.length;
  if (more > 0) {
    parts.push("", `…and ${more} more ${more === 1 ? "finding is" : "findings are"} in result.json.`);
  }
  parts.push("", note);
  return parts.join("\n");
}

/**
 * Renders a gate result as GitHub-flavoured Markdown (summary.md, `$GITHUB_STEP_SUMMARY`). Pure: the caller
 * writes the returned text. Every value that may come from the scan is escaped; only an http(s) portal URL
 * becomes a link.
 */
export function renderMarkdown(result: GateResult): string {
  const head = [
    verdictSection(result),
    scanSection(result.scan),
    severitySection(result),
    hostsSection(result.hosts),
    criteriaSection(result.criteria),
    exceptionsSection(result.exceptions),
    warningsSection(result.warnings),
  ].filter((section): section is string => section !== undefined);
  const footer = `_Generated by ${escapeMarkdown(result.tool.name)} ${escapeMarkdown(result.tool.version)} at ${escapeMarkdown(reportDate(result.generatedAt))}._`;
  const fixedBytes = Buffer.byteLength([...head, footer].join("\n\n"), "utf8");
  const findings = findingsSection(
    result.findings,
    SUMMARY_BYTE_BUDGET - fixedBytes,
    isVmResult(result),
    result.resultsAvailable,
  );
  return `${[...head, findings, footer].join("\n\n")}\n`;
}
