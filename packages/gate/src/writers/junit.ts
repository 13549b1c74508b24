/**
 * JUnit XML for CI test tabs: Azure DevOps PublishTestResults@2, Jenkins `junit` and GitLab
 * `artifacts:reports:junit`. Each gate criterion is a test case; each finding that fails the gate is one more, so
 * the test tab lists the vulnerabilities to fix. All three readers agree only on a small common subset (the Ant
 * JUnit schema), so this writer sticks to it: no CDATA, no nested suites, at most one `<failure>` or `<error>` per
 * test case (readers disagree on test cases with several).
 */

import { kbHtmlToText, SEVERITY_NAMES, type SeverityCounts } from "@qualys-connector/model";
import type { CriterionResult, GateFinding, GateResult } from "../result.js";
import {
  cvssLabel,
  findingLocation,
  kindLabel,
  NO_RESULTS,
  NOT_COUNTED_REASONS,
  pciLabel,
  sum,
} from "./report-text.js";
import { escapeXmlAttr, escapeXmlText } from "./xml-text.js";

interface TestCase {
  classname: string;
  name: string;
  /** The one failure or error of a test case that did not pass, or why it was skipped (not evaluated). */
  problem:
    | { element: "failure" | "error"; message: string; type: string; body: string }
    | { element: "skipped"; message: string; body: string }
    | undefined;
  systemOut: string | undefined;
}

/** Renders the gate result as one JUnit XML test suite. */
export function renderJunit(result: GateResult): string {
  const kind = result.scan?.kind ?? "gate";
  const byFingerprint = new Map(result.findings.map((f) => [f.fingerprint, f]));
  const cases: TestCase[] = [
    ...result.criteria.map((c) => criterionCase(c, kind, byFingerprint)),
    ...findingCases(result.criteria, kind, byFingerprint),
  ];
  const completion = completionCase(result, kind);
  if (completion !== undefined) cases.push(completion);

  const tests = cases.length;
  const failures = cases.filter((c) => c.problem?.element === "failure").length;
  const errors = cases.filter((c) => c.problem?.element === "error").length;
  const skipped = cases.filter((c) => c.problem?.element === "skipped").length;
  const time = String(result.scan?.durationSec ?? 0);
  const counts = `tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${escapeXmlAttr(time)}"`;

  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="qualys-connector" ${counts}>`,
    `  <testsuite name="${escapeXmlAttr(suiteName(result))}" ${counts} timestamp="${escapeXmlAttr(timestamp(result.generatedAt))}">`,
    ...cases.map(renderCase),
    `    <system-out>${escapeXmlText(suiteOutput(result))}</system-out>`,
    "  </testsuite>",
    "</testsuites>",
    "",
  ];
  return lines.join("\n");
}

function suiteName(result: GateResult): string {
  const scan = result.scan;
  if (scan === undefined) return "Qualys scan gate";
  const target = scan.target.name ?? scan.target.id;
  return `Qualys ${scan.kind === "vm" ? "VM" : "WAS"} gate: ${target}`;
}

/**
 * The Ant JUnit schema types `timestamp` as an ISO 8601 date-time without a zone designator, so the UTC instant is
 * written in that form: no milliseconds, no `Z`.
 */
function timestamp(iso: string): string {
  return iso.replace(/(\.\d+)?Z$/, "");
}

function criterionCase(
  criterion: CriterionResult,
  kind: string,
  byFingerprint: ReadonlyMap<string, GateFinding>,
): TestCase {
  const classname = `qualys.${kind}.criteria`;
  const findings = criterion.findings.map((fp) => findingLine(fp, byFingerprint));
  const comparison = `configured ${criterion.configured}, found ${criterion.actual}`;
  switch (criterion.outcome) {
    case "pass":
      return { classname, name: criterion.label, problem: undefined, systemOut: undefined };
    case "fail":
      return {
        classname,
        name: criterion.label,
        problem: {
          element: "failure",
          message: comparison,
          type: "policy",
          body: [criterionHeading(criterion, comparison), ...findings].join("\n"),
        },
        systemOut: undefined,
      };
    case "not-evaluated":
      // Skipped, not passed: a criterion the scan gave nothing to judge by must not show up green.
      return {
        classname,
        name: criterion.label,
        problem: {
          element: "skipped",
          message: `not evaluated: ${criterion.notEvaluatedReason ?? "the scan gave no answer"}`,
          body: `${criterion.label}: not evaluated (${criterion.notEvaluatedReason ?? "the scan gave no answer"})`,
        },
        systemOut: undefined,
      };
    case "warn":
      // A warn criterion must not fail the test run, but its findings should still be visible in the test tab.
      return {
        classname,
        name: criterion.label,
        problem: undefined,
        systemOut: [`warning: ${criterionHeading(criterion, comparison)}`, ...findings].join("\n"),
      };
  }
}

function criterionHeading(criterion: CriterionResult, comparison: string): string {
  return `${criterion.label}: ${comparison}${criterion.newOnly ? " (new findings only)" : ""}`;
}

/**
 * One test case per finding that fails a criterion. A finding violating several criteria gets one test case
 * naming all of them, because two test cases with the same name could not be told apart in a test tab or its
 * history.
 */
function findingCases(
  criteria: readonly CriterionResult[],
  kind: string,
  byFingerprint: ReadonlyMap<string, GateFinding>,
): TestCase[] {
  const violated = new Map<string, CriterionResult[]>();
  for (const criterion of criteria) {
    if (criterion.outcome !== "fail") continue;
    for (const fp of criterion.findings) {
      const list = violated.get(fp);
      if (list === undefined) violated.set(fp, [criterion]);
      else if (!list.includes(criterion)) list.push(criterion);
    }
  }
  return [...violated].map(([fp, violatedCriteria]): TestCase => {
    const finding = byFingerprint.get(fp);
    const labels = violatedCriteria.map((c) => c.label).join("; ");
    return {
      classname: `qualys.${kind}.findings`,
      name: finding === undefined ? `finding ${fp}` : findingName(finding),
      problem: {
        element: "failure",
        message: `${finding === undefined ? "" : `${severityText(finding)}: `}${labels}`,
        type: "vulnerability",
        body:
          finding === undefined ? `fingerprint ${fp}\nviolates: ${labels}` : findingDetails(finding, labels),
      },
      systemOut: undefined,
    };
  });
}

/**
 * `QID <qid> <title> at <url> (parameter <param>)`, or `at <ip>:<port>/<protocol>` for a VM detection: the
 * parameter keeps two findings on one URL apart, the port two detections of one QID on one host.
 */
function findingName(finding: GateFinding): string {
  const location = findingLocation(finding);
  const at = location ? ` at ${location}` : "";
  const param = finding.param ? ` (parameter ${finding.param})` : "";
  return `QID ${finding.qid} ${finding.title}${at}${param}`;
}

function findingLine(fp: string, byFingerprint: ReadonlyMap<string, GateFinding>): string {
  const finding = byFingerprint.get(fp);
  return finding === undefined ? `- finding ${fp}` : `- ${findingName(finding)}`;
}

function severityText(finding: GateFinding): string {
  const severity = finding.severity;
  return severity === undefined ? "severity unknown" : `severity ${severity} (${SEVERITY_NAMES[severity]})`;
}

function yesNo(value: boolean | undefined): string {
  return value === undefined ? "unknown" : value ? "yes" : "no";
}

/** What a VM detection adds: where it was found, and the CVE, CVSS and PCI facts its criteria look at. */
function vmDetailLines(finding: GateFinding): string[] {
  const host = finding.host;
  const names = [host?.dns, host?.netbios].filter((name): name is string => !!name);
  const cves = finding.definition?.cves ?? [];
  const vector = finding.definition?.cvssV3Vector;
  return [
    `Type: ${kindLabel(finding)}`,
    `Host: ${host?.ip || finding.target}${names.length > 0 ? ` (${names.join(", ")})` : ""}`,
    `Port: ${finding.port ? `${finding.port}${finding.protocol ? `/${finding.protocol}` : ""}` : "(none)"}`,
    `OS: ${host?.os || "unknown"}`,
    // All of them: the test tab is where a developer looks up which CVEs a failing QID stands for.
    `CVEs: ${cves.length > 0 ? cves.join(", ") : "(none)"}`,
    `CVSS: ${cvssLabel(finding.definition)}${vector ? ` ${vector}` : ""}`,
    `PCI: ${pciLabel(finding.definition)}`,
  ];
}

function findingDetails(finding: GateFinding, labels: string): string {
  const where =
    finding.host === undefined
      ? [
          `URL: ${finding.url ?? "(none)"}`,
          `Parameter: ${finding.param ?? "(none)"}`,
          `Authenticated: ${yesNo(finding.authenticated)}`,
        ]
      : vmDetailLines(finding);
  const lines = [
    `QID ${finding.qid}: ${finding.title}`,
    `Severity: ${severityText(finding)}`,
    ...where,
    `New: ${yesNo(finding.isNew)}`,
    `Fingerprint: ${finding.fingerprint}`,
    `Violates: ${labels}`,
  ];
  // KnowledgeBase HTML as text: a test tab shows markup literally.
  const solution = kbHtmlToText(finding.definition?.solution);
  if (solution !== "") lines.push(`Solution:\n${solution}`);
  return lines.join("\n");
}

/**
 * A test case for the scan itself when it did not give a full answer, so an errored or incomplete run never
 * shows up as green just because no criterion could fail.
 */
function completionCase(result: GateResult, kind: string): TestCase | undefined {
  const base = { classname: `qualys.${kind}.scan`, name: "scan completed" };
  if (result.verdict === "error") {
    const error = result.error;
    return {
      ...base,
      problem: {
        element: "error",
        message: error?.message ?? result.reason,
        type: error?.kind ?? "error",
        body: result.reason,
      },
      systemOut: undefined,
    };
  }
  const incomplete = result.incomplete;
  if (incomplete?.handling === "warn") {
    return { ...base, problem: undefined, systemOut: `warning: scan incomplete: ${incomplete.reason}` };
  }
  if (incomplete !== undefined || result.verdict === "incomplete") {
    const reason = incomplete?.reason ?? result.reason;
    return {
      ...base,
      problem: { element: "failure", message: reason, type: "incomplete", body: result.reason },
      systemOut: undefined,
    };
  }
  return undefined;
}

function suiteOutput(result: GateResult): string {
  const scan = result.scan;
  const lines = [`verdict: ${result.verdict} (exit code ${result.exitCode})`, `reason: ${result.reason}`];
  if (scan !== undefined) {
    lines.push(`scan: ${scan.id}${scan.name === undefined ? "" : ` ${scan.name}`}`);
    if (scan.portalUrl !== undefined) lines.push(`report: ${scan.portalUrl}`);
  }
  lines.push(...countLines(result));
  for (const warning of result.warnings) lines.push(`warning: ${warning}`);
  return lines.join("\n");
}

/** Severity 5 first, as in the reports: "1/0/2/0/0". */
function descending(counts: SeverityCounts): string {
  return [...counts].reverse().join("/");
}

/** Counted vulnerabilities by severity as the headline, and those no criterion counted by reason. */
function countLines(result: GateResult): string[] {
  if (!result.resultsAvailable) return [`counts: none (${NO_RESULTS})`];
  const { counted, notCounted, inBaseline } = result.severityCounts;
  const lines = [`counted by severity 5/4/3/2/1: ${descending(counted)}`];
  for (const { key, phrase } of NOT_COUNTED_REASONS)
    if (sum(notCounted[key]) > 0)
      lines.push(`not counted, ${phrase}, by severity 5/4/3/2/1: ${descending(notCounted[key])}`);
  if (inBaseline !== undefined && sum(inBaseline) > 0)
    lines.push(`counted and in the baseline, by severity 5/4/3/2/1: ${descending(inBaseline)}`);
  return lines;
}

function renderCase(testCase: TestCase): string {
  const open = `    <testcase classname="${escapeXmlAttr(testCase.classname)}" name="${escapeXmlAttr(testCase.name)}" time="0"`;
  const children: string[] = [];
  const problem = testCase.problem;
  if (problem?.element === "skipped") {
    children.push(
      `      <skipped message="${escapeXmlAttr(problem.message)}">${escapeXmlText(problem.body)}</skipped>`,
    );
  } else if (problem !== undefined) {
    children.push(
      `      <${problem.element} message="${escapeXmlAttr(problem.message)}" type="${escapeXmlAttr(problem.type)}">${escapeXmlText(problem.body)}</${problem.element}>`,
    );
  }
  if (testCase.systemOut !== undefined) {
    children.push(`      <system-out>${escapeXmlText(testCase.systemOut)}</system-out>`);
  }
  if (children.length === 0) return `${open}/>`;
  return [`${open}>`, ...children, "    </testcase>"].join("\n");
}
