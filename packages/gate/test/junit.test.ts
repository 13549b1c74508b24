import { XMLParser, XMLValidator } from "fast-xml-parser";
import { parse, type TestCase, type TestSuites } from "junit2json";
import { describe, expect, it } from "vitest";
import type { GateFinding, GateResult } from "../src/index.js";
import { renderJunit } from "../src/writers/junit.js";
import { escapeXmlAttr, escapeXmlText } from "../src/writers/xml-text.js";
import {
  cleanResult,
  erroredScanResult,
  errorResult,
  HOSTILE,
  HOSTILE_AS_KB_TEXT,
  sampleResult,
} from "./sample-result.js";

/** The parts of fast-xml-parser's output these tests read (attributes prefixed with `@_`). */
interface FxpDetails {
  "@_message": string;
  "@_type": string;
  "#text"?: string;
}
interface FxpTestCase {
  "@_classname": string;
  "@_name": string;
  failure?: FxpDetails[];
  error?: FxpDetails[];
  "system-out"?: string[];
}
interface FxpCounts {
  "@_name": string;
  "@_tests": string;
  "@_failures": string;
  "@_errors": string;
}
interface FxpSuite extends FxpCounts {
  testcase?: FxpTestCase[];
}
interface FxpDocument {
  testsuites: FxpCounts & { testsuite: FxpSuite[] };
}

const fxp = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Decodes numeric character references (&#10;), which the writer uses for CR and for whitespace in attributes.
  htmlEntities: true,
  isArray: (name) => ["testsuite", "testcase", "failure", "error", "system-out"].includes(name),
});

function parseFxp(xml: string): FxpDocument {
  expect(XMLValidator.validate(xml)).toBe(true);
  return fxp.parse(xml);
}

async function parseJunit(xml: string): Promise<TestSuites> {
  const parsed = await parse(xml);
  if (parsed == null || !("testsuite" in parsed)) throw new Error("expected <testsuites>");
  return parsed;
}

function onlySuite<T>(suites: T[] | undefined): T {
  expect(suites).toHaveLength(1);
  const suite = suites?.[0];
  if (suite === undefined) throw new Error("no testsuite");
  return suite;
}

function finding(result: GateResult, index: number): GateFinding {
  const found = result.findings[index];
  if (found === undefined) throw new Error(`fixture has no finding ${index}`);
  return found;
}

/**
 * The sample with findings behind its failing criteria: QID 150003 violates two of them, QID 150002 one (in the
 * fixture the only severity 5 finding is excepted, so its failing criterion lists none).
 */
function failingResult(): GateResult {
  const result = sampleResult();
  const f2 = finding(result, 2);
  const f3 = finding(result, 3);
  const [severity5, ...rest] = result.criteria;
  if (severity5 === undefined) throw new Error("fixture");
  result.criteria = [
    { ...severity5, findings: [f3.fingerprint] },
    {
      id: "min-severity",
      label: "Vulnerabilities of severity 3 or more fail",
      action: "fail",
      configured: ">= 3",
      actual: "150002, 150003",
      outcome: "fail",
      newOnly: false,
      findings: [f2.fingerprint, f3.fingerprint],
    },
    ...rest,
  ];
  return result;
}

function incompleteResult(handling: "fail" | "warn"): GateResult {
  const result = cleanResult();
  return {
    ...result,
    verdict: handling === "fail" ? "incomplete" : "passed",
    exitCode: handling === "fail" ? 2 : 0,
    reason:
      handling === "fail" ? "incomplete: scan ended with status ERROR" : "passed: all criteria satisfied",
    incomplete: { reason: "scan ended with status ERROR", handling },
  };
}

const fixtures: [string, () => GateResult][] = [
  ["sampleResult", sampleResult],
  ["failingResult", failingResult],
  ["cleanResult", cleanResult],
  ["errorResult", errorResult],
  ["incomplete, handling fail", () => incompleteResult("fail")],
  ["incomplete, handling warn", () => incompleteResult("warn")],
  ["ERROR scan without results", () => erroredScanResult()],
];

function findingName(f: GateFinding): string {
  return `QID ${f.qid} ${f.title} at ${f.url} (parameter ${f.param})`;
}

describe("renderJunit counts", () => {
  it.each(fixtures)("%s: junit2json sees counts equal to the elements", async (_, make) => {
    const suites = await parseJunit(renderJunit(make()));
    const suite = onlySuite(suites.testsuite);
    const cases = suite.testcase ?? [];
    const failures = cases.filter((c) => (c.failure?.length ?? 0) > 0).length;
    const errors = cases.filter((c) => (c.error?.length ?? 0) > 0).length;
    for (const counts of [suites, suite]) {
      expect(counts.tests).toBe(cases.length);
      expect(counts.failures).toBe(failures);
      expect(counts.errors).toBe(errors);
    }
    for (const c of cases) expect((c.failure?.length ?? 0) + (c.error?.length ?? 0)).toBeLessThanOrEqual(1);
  });

  it.each(fixtures)("%s: fast-xml-parser sees counts equal to the elements", (_, make) => {
    const doc = parseFxp(renderJunit(make()));
    const suite = onlySuite(doc.testsuites.testsuite);
    const cases = suite.testcase ?? [];
    const failures = cases.reduce((n, c) => n + (c.failure?.length ?? 0), 0);
    const errors = cases.reduce((n, c) => n + (c.error?.length ?? 0), 0);
    for (const counts of [doc.testsuites, suite]) {
      expect(counts["@_tests"]).toBe(String(cases.length));
      expect(counts["@_failures"]).toBe(String(failures));
      expect(counts["@_errors"]).toBe(String(errors));
    }
  });

  it("counts the sample: four criteria, one failing", async () => {
    const suites = await parseJunit(renderJunit(sampleResult()));
    expect(suites).toMatchObject({ name: "qualys-connector", tests: 4, failures: 1, errors: 0, time: 600 });
  });
});

describe("renderJunit content", () => {
  it("names the suite after the scanned target", async () => {
    const result = sampleResult();
    const suite = onlySuite((await parseJunit(renderJunit(result))).testsuite);
    expect(suite.name).toBe(`Qualys WAS gate: scenario-vulnerable ${HOSTILE}`);
    expect(suite.timestamp).toBe("2026-12-01T12:00:00");
    if (result.scan === undefined) throw new Error("fixture");
    result.scan = { ...result.scan, kind: "vm", target: { id: "10.0.0.5", name: undefined, url: undefined } };
    const vm = onlySuite((await parseJunit(renderJunit(result))).testsuite);
    expect(vm.name).toBe("Qualys VM gate: 10.0.0.5");
    expect(vm.testcase?.[0]?.classname).toBe("qualys.vm.criteria");
    const none = onlySuite((await parseJunit(renderJunit(errorResult()))).testsuite);
    expect(none.name).toBe("Qualys scan gate");
  });

  it("has one test case per criterion: a failure, a warning on system-out, or empty", async () => {
    const cases = onlySuite((await parseJunit(renderJunit(sampleResult()))).testsuite).testcase ?? [];
    expect(cases.map((c) => [c.classname, c.name])).toEqual([
      ["qualys.was.criteria", "Severity 5 vulnerabilities: more than 0 fails"],
      ["qualys.was.criteria", "Severity 4 vulnerabilities: more than 2 fails"],
      ["qualys.was.criteria", "Any of these QIDs"],
      ["qualys.was.criteria", "WAS could scan the web application"],
    ]);
    const [failing, passing, warning] = cases;
    expect(failing?.failure).toHaveLength(1);
    expect(failing?.failure?.[0]?.message).toBe("configured > 0, found 1");
    expect(failing?.failure?.[0]?.type).toBe("policy");
    expect(passing).toEqual({ classname: "qualys.was.criteria", name: passing?.name, time: 0 });
    expect(warning?.failure).toBeUndefined();
    expect(warning?.["system-out"]?.[0]).toContain(
      "warning: Any of these QIDs: configured 150001-150002, found 150001, 150002 (new findings only)",
    );
    expect(warning?.["system-out"]?.[0]).toContain(findingName(finding(sampleResult(), 1)));
  });

  it("lists the violating findings in a failing criterion and adds one test case per finding", async () => {
    const result = failingResult();
    const f2 = finding(result, 2);
    const f3 = finding(result, 3);
    const cases = onlySuite((await parseJunit(renderJunit(result))).testsuite).testcase ?? [];
    const minSeverity = cases.find((c) => c.name === "Vulnerabilities of severity 3 or more fail");
    expect(minSeverity?.failure?.[0]?.message).toBe("configured >= 3, found 150002, 150003");
    expect(minSeverity?.failure?.[0]?.inner).toBe(
      [
        "Vulnerabilities of severity 3 or more fail: configured >= 3, found 150002, 150003",
        `- ${findingName(f2)}`,
        `- ${findingName(f3)}`,
      ].join("\n"),
    );

    const perFinding = cases.filter((c) => c.classname === "qualys.was.findings");
    // QID 150003 fails two criteria but gets one test case.
    expect(perFinding.map((c) => c.name)).toEqual([findingName(f3), findingName(f2)]);
    for (const c of perFinding) {
      expect(c.failure).toHaveLength(1);
      expect(c.error).toBeUndefined();
    }
    const both: TestCase | undefined = perFinding[0];
    expect(both?.failure?.[0]?.message).toBe(
      "severity 4 (Critical): Severity 5 vulnerabilities: more than 0 fails; Vulnerabilities of severity 3 or more fail",
    );
    expect(both?.failure?.[0]?.type).toBe("vulnerability");
    expect(both?.failure?.[0]?.inner).toContain(`Fingerprint: ${f3.fingerprint}`);
    expect(both?.failure?.[0]?.inner).toContain(`Solution:\nEncode output. ${HOSTILE_AS_KB_TEXT}`);
  });

  it("never lets hostile text act as markup", () => {
    for (const [, make] of fixtures) {
      const xml = renderJunit(make());
      expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
      expect(xml).not.toContain("<script>");
      expect(xml).not.toContain("<img");
      expect(xml).not.toContain("]]>");
      expect(xml).not.toContain("CDATA");
      expect(XMLValidator.validate(xml)).toBe(true);
    }
  });

  it("round-trips titles exactly through both parsers", async () => {
    const result = failingResult();
    const f3 = finding(result, 3);
    const xml = renderJunit(result);
    const junitCases = onlySuite((await parseJunit(xml)).testsuite).testcase ?? [];
    const fxpCases = onlySuite(parseFxp(xml).testsuites.testsuite).testcase ?? [];
    const junitCase = junitCases.find((c) => c.classname === "qualys.was.findings");
    const fxpCase = fxpCases.find((c) => c["@_classname"] === "qualys.was.findings");
    expect(junitCase?.name).toBe(findingName(f3));
    expect(fxpCase?.["@_name"]).toBe(findingName(f3));
    expect(junitCase?.failure?.[0]?.inner).toContain(`QID 150003: ${f3.title}\n`);
    expect(fxpCase?.failure?.[0]?.["#text"]).toContain(`QID 150003: ${f3.title}\n`);
    expect(f3.title).toContain(HOSTILE);
  });

  it("reports an error run as one errored test case", async () => {
    const cases = onlySuite((await parseJunit(renderJunit(errorResult()))).testsuite).testcase ?? [];
    expect(cases).toEqual([
      {
        classname: "qualys.gate.scan",
        name: "scan completed",
        time: 0,
        error: [
          {
            message: "Qualys rejected the credentials (INVALID_CREDENTIALS)",
            type: "auth",
            inner: "error: Qualys rejected the credentials (INVALID_CREDENTIALS)",
          },
        ],
      },
    ]);
  });

  it("fails an incomplete scan, or only notes it when incomplete scans warn", async () => {
    const failing = onlySuite((await parseJunit(renderJunit(incompleteResult("fail")))).testsuite).testcase;
    const failed = failing?.find((c) => c.name === "scan completed");
    expect(failed?.classname).toBe("qualys.was.scan");
    expect(failed?.failure?.[0]).toMatchObject({
      message: "scan ended with status ERROR",
      type: "incomplete",
    });

    const warning = onlySuite((await parseJunit(renderJunit(incompleteResult("warn")))).testsuite);
    const noted = warning.testcase?.find((c) => c.name === "scan completed");
    expect(noted?.failure).toBeUndefined();
    expect(noted?.error).toBeUndefined();
    expect(noted?.["system-out"]).toEqual(["warning: scan incomplete: scan ended with status ERROR"]);
    expect(warning.failures).toBe(0);
  });

  it("carries the verdict, the report link and the warnings in the suite's system-out", async () => {
    const suite = onlySuite((await parseJunit(renderJunit(sampleResult()))).testsuite);
    const out = suite["system-out"]?.[0] ?? "";
    expect(out).toContain("verdict: failed (exit code 1)");
    expect(out).toContain(`scan: 4242 pipeline_azureDevOps_build_7_${HOSTILE}`);
    expect(out).toContain(
      "report: https://qualysguard.qg2.apps.qualys.com/was/#/reports/online-reports/email-report/scan/4242",
    );
    expect(out).toContain("warning: severity counts differ");
  });
});

describe("XML escaping", () => {
  it("escapes markup characters in text and attributes", () => {
    expect(escapeXmlText(`a&b<c>d"e'f]]>`)).toBe("a&amp;b&lt;c&gt;d&quot;e&apos;f]]&gt;");
    expect(escapeXmlAttr(`a&b<c>d"e'f`)).toBe("a&amp;b&lt;c&gt;d&quot;e&apos;f");
  });

  it("keeps whitespace that parsers would normalize", () => {
    expect(escapeXmlText("a\tb\nc\r\nd")).toBe("a\tb\nc&#13;\nd");
    expect(escapeXmlAttr("a\tb\nc\rd")).toBe("a&#9;b&#10;c&#13;d");
  });

  it("removes characters XML 1.0 does not allow, keeping valid surrogate pairs", () => {
    const text = "a\u0000b\u0008c\u001bd\u007fe\ud800f\udc00g\ufffeh\uffffi\u{1f600}j";
    expect(escapeXmlText(text)).toBe("abcd\u007fefgh" + "i\u{1f600}j");
    expect(escapeXmlAttr(text)).toBe("abcd\u007fefgh" + "i\u{1f600}j");
  });

  it("shows bidirectional controls escaped, so a title or URL reads as it is", () => {
    const text = "a\u202eb\u2066c\u2069d\u200fe\u061cf";
    expect(escapeXmlText(text)).toBe("a\\u202eb\\u2066c\\u2069d\\u200fe\\u061cf");
    expect(escapeXmlAttr(text)).toBe("a\\u202eb\\u2066c\\u2069d\\u200fe\\u061cf");
  });

  it("writes a junit.xml without NUL, lone surrogates or bidirectional overrides from hostile findings", () => {
    const result = sampleResult();
    // QID 150001 is listed under the QID criterion.
    const first = result.findings[1];
    if (first === undefined) throw new Error("fixture");
    first.title = "XSS\u0000 \u202egpj.exe\ud800";
    if (first.definition) first.definition.title = first.title;
    const xml = renderJunit(result);
    expect(xml).not.toMatch(/\p{Cc}(?<![\t\n\r])|\u202e|\p{Cs}/u);
    expect(xml).toContain("XSS \\u202egpj.exe");
    expect(XMLValidator.validate(xml)).toBe(true);
  });

  it("round-trips any text through a parser, less the removed characters", async () => {
    const text = `${HOSTILE}\r\n\ttab "quoted" \u0001 \u{1f600} &#10; &lt;`;
    const expected = text.replace("\u0001", "");
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="${escapeXmlAttr(text)}"><testcase name="x"><failure message="${escapeXmlAttr(text)}">${escapeXmlText(text)}</failure></testcase></testsuite></testsuites>`;
    const suite = onlySuite((await parseJunit(xml)).testsuite);
    expect(suite.name).toBe(expected);
    expect(suite.testcase?.[0]?.failure?.[0]).toEqual({ message: expected, inner: expected });
    const fxpSuite = onlySuite(parseFxp(xml).testsuites.testsuite);
    expect(fxpSuite["@_name"]).toBe(expected);
    expect(fxpSuite.testcase?.[0]?.failure?.[0]).toEqual({ "@_message": expected, "#text": expected });
  });
});

describe("renderJunit: counts, and criteria not evaluated", () => {
  it("reports its criteria as skipped, not passed, and counts them", async () => {
    const xml = renderJunit(erroredScanResult("warn"));
    const suite = onlySuite((await parseJunit(xml)).testsuite);
    const severity5 = suite.testcase?.find((c) => c.name?.startsWith("Severity 5"));
    expect(severity5?.skipped).toEqual([
      {
        message:
          "not evaluated: the scan gave no results: scan 4242 ended ERROR (results status SCAN_INTERNAL_ERROR)",
        inner: expect.stringContaining("not evaluated"),
      },
    ]);
    expect(suite.skipped).toBe(2);
    expect(suite.failures).toBe(0);
    expect(suite["system-out"]?.[0]).toContain("counts: none (The scan gave no results");
  });

  it("carries the counted findings by severity, and those not counted apart", async () => {
    const result = sampleResult();
    result.severityCounts.counted = [0, 1, 1, 1, 1];
    result.severityCounts.notCounted.potential = [0, 0, 0, 0, 2];
    const out = onlySuite((await parseJunit(renderJunit(result))).testsuite)["system-out"]?.[0] ?? "";
    expect(out).toContain("counted by severity 5/4/3/2/1: 1/1/1/1/0");
    expect(out).toContain("not counted, potential, not evaluated, by severity 5/4/3/2/1: 2/0/0/0/0");
  });
});

describe("renderJunit: KnowledgeBase HTML", () => {
  it("gives the solution of a failing finding as plain text", async () => {
    const result = failingResult();
    const definition = finding(result, 3).definition;
    if (definition === undefined) throw new Error("fixture");
    definition.solution = `<P>Upgrade to <B>2.4.58</B>.<BR>See <A HREF="https://httpd.apache.org/security/" TARGET="_blank">the advisory</A>.
<P>Steps:<UL><LI>stop &amp; patch</LI><LI><a href="javascript:alert(1)" onclick="x()">restart</a></LI></UL><script>alert(1)</script>`;
    const cases = onlySuite((await parseJunit(renderJunit(result))).testsuite).testcase ?? [];
    const body = cases.find((c) => c.name?.startsWith("QID 150003"))?.failure?.[0]?.inner ?? "";
    expect(body).toContain(
      `Solution:\n${"Upgrade to 2.4.58.\nSee the advisory (https://httpd.apache.org/security/).\n\nSteps:\n\n- stop & patch\n- restart"}`,
    );
    expect(body).not.toMatch(/<P>|<BR>|<UL>|javascript:/);
  });
});
