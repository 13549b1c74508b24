import { fingerprint, type ScanFinding, type Severity } from "@qualys-connector/model";
import { describe, expect, it } from "vitest";
import {
  type EvaluationInput,
  evaluate,
  normalizePolicy,
  type Policy,
  type PolicyFlags,
} from "../src/index.js";

const NOW = new Date("2026-12-01T12:00:00Z");

function finding(
  qid: number,
  severity: Severity | undefined,
  url = `https://shop.example/p${qid}`,
): ScanFinding {
  return {
    fingerprint: fingerprint({ target: "1001", qid, url }),
    qid,
    title: `QID ${qid}`,
    severity,
    target: "1001",
    url,
    param: undefined,
    authenticated: false,
    unauthenticated: true,
    instances: 1,
    potential: false,
    definition: undefined,
  };
}

// Two of severity 5, one of 4, three of 3.
const FINDINGS = [
  finding(150001, 5),
  finding(150002, 5),
  finding(150010, 4),
  finding(150020, 3),
  finding(150021, 3),
  finding(150022, 3),
];

function input(overrides: Partial<EvaluationInput> = {}): EvaluationInput {
  return {
    scan: {
      kind: "was",
      id: "42",
      name: "n",
      reference: undefined,
      status: "FINISHED",
      resultsStatus: "FINISHED",
      authStatus: "NONE",
      launchedDate: undefined,
      durationSec: 60,
      target: { id: "1001", name: "shop", url: "https://shop.example/" },
      portalUrl: undefined,
    },
    findings: FINDINGS,
    statsCounts: [0, 0, 3, 1, 2],
    completion: { complete: true },
    resultsAvailable: true,
    baseline: undefined,
    completionLabel: "WAS could scan the web application",
    ...overrides,
  };
}

function policy(flags: PolicyFlags, extra: Partial<Policy> = {}): Policy {
  return { ...normalizePolicy(flags, undefined), ...extra };
}

describe("evaluate: WAS severity counts are 'more than'", () => {
  it.each([
    ["5=2", "passed", "2"],
    ["5=1", "failed", "2"],
    ["5=0", "failed", "2"],
    ["4=1", "passed", "1"],
    ["4=0", "failed", "1"],
    ["3=3", "passed", "3"],
    ["1=0", "passed", "0"],
  ])("--max-severity-count %s -> %s (actual %s)", (flag, verdict, actual) => {
    const result = evaluate(input(), policy({ maxSeverityCount: flag }), NOW);
    expect(result.verdict).toBe(verdict);
    expect(result.criteria[0]?.actual).toBe(actual);
    expect(result.criteria[0]?.configured).toBe(`> ${flag.split("=")[1]}`);
  });
});

describe("evaluate: the other criteria", () => {
  it.each([
    [{ minSeverity: "5" }, "failed"],
    [{ minSeverity: "4" }, "failed"],
    [{ failOnQids: "150010" }, "failed"],
    [{ failOnQids: "150003-150009,150030" }, "passed"],
    [{ failOnQids: "150000-150100" }, "failed"],
    [{ minSeverity: "5", excludeQids: "150001-150002" }, "passed"],
  ] as const)("%j -> %s", (flags, verdict) => {
    expect(evaluate(input(), policy(flags), NOW).verdict).toBe(verdict);
  });

  it("names what tripped in the reason, with configured and actual values", () => {
    const result = evaluate(input(), policy({ maxSeverityCount: "5=0", failOnQids: "150010" }), NOW);
    expect(result.reason).toBe(
      "failed: Severity 5 (Urgent) vulnerabilities: 2 (configured > 0); Any of these QIDs: 150010 (configured 150010)",
    );
    const qids = result.criteria.find((c) => c.id === "qids");
    expect(qids?.findings).toEqual([FINDINGS[2]?.fingerprint]);
  });

  it("a warn criterion reports and passes", () => {
    const base = policy({});
    const result = evaluate(
      input(),
      { ...base, minSeverity: { severity: 4, action: "warn", newOnly: false } },
      NOW,
    );
    expect(result.verdict).toBe("passed");
    expect(result.criteria[0]?.outcome).toBe("warn");
    expect(result.reason).toBe("passed: 2 criteria checked, 1 warning (min-severity)");
  });

  it("warns when no vulnerability criterion is configured", () => {
    const result = evaluate(input(), policy({}), NOW);
    expect(result.verdict).toBe("passed");
    expect(result.warnings).toContain(
      "no vulnerability criterion is configured: the gate only checks that the scan completed",
    );
  });
});

describe("evaluate: incomplete scans", () => {
  const incomplete = { complete: false as const, reason: "scan 42 ended ERROR" };

  it("is exit-2 incomplete by default", () => {
    const result = evaluate(
      input({ findings: [], completion: incomplete }),
      policy({ minSeverity: "4" }),
      NOW,
    );
    expect(result.verdict).toBe("incomplete");
    expect(result.reason).toBe("incomplete: scan 42 ended ERROR");
    expect(result.criteria.at(-1)).toMatchObject({ id: "scan-complete", outcome: "fail" });
  });

  it("--on-incomplete warn passes, and says so", () => {
    const result = evaluate(
      input({ findings: [], completion: incomplete }),
      policy({ minSeverity: "4", onIncomplete: "warn" }),
      NOW,
    );
    expect(result.verdict).toBe("passed");
    expect(result.reason).toMatch(
      /the scan was incomplete \(scan 42 ended ERROR\) and onIncomplete warn let it pass/,
    );
    expect(result.incomplete).toEqual({ reason: "scan 42 ended ERROR", handling: "warn" });
  });

  it("a violation found in partial results still fails (exit 1), and mentions the incomplete scan", () => {
    const result = evaluate(input({ completion: incomplete }), policy({ minSeverity: "5" }), NOW);
    expect(result.verdict).toBe("failed");
    expect(result.reason).toMatch(/; also incomplete: scan 42 ended ERROR$/);
  });

  it("findings without a severity make severity criteria undecidable", () => {
    const result = evaluate(
      input({ findings: [finding(150099, undefined)] }),
      policy({ minSeverity: "4" }),
      NOW,
    );
    expect(result.verdict).toBe("incomplete");
    expect(result.reason).toBe("incomplete: severity unknown for 1 finding (QIDs 150099)");
    // A QID criterion does not need severities.
    expect(
      evaluate(input({ findings: [finding(150099, undefined)] }), policy({ failOnQids: "1" }), NOW).verdict,
    ).toBe("passed");
  });
});

describe("evaluate: criteria that cannot be evaluated", () => {
  const error = { complete: false as const, reason: "scan 42 ended ERROR" };

  it("a scan without results leaves every vulnerability criterion not evaluated, never passed", () => {
    const result = evaluate(
      input({ findings: [], statsCounts: undefined, completion: error, resultsAvailable: false }),
      policy({ maxSeverityCount: "5=0", minSeverity: "4" }),
      NOW,
    );
    expect(result.verdict).toBe("incomplete");
    expect(result.resultsAvailable).toBe(false);
    for (const criterion of result.criteria.slice(0, 2)) {
      expect(criterion).toMatchObject({
        outcome: "not-evaluated",
        actual: "no results",
        notEvaluatedReason: "the scan gave no results: scan 42 ended ERROR",
      });
    }
    expect(result.criteria.at(-1)).toMatchObject({ id: "scan-complete", outcome: "fail" });
  });

  it("--on-incomplete warn still passes, and the reason counts the criteria not evaluated", () => {
    const result = evaluate(
      input({ findings: [], statsCounts: undefined, completion: error, resultsAvailable: false }),
      policy({ minSeverity: "4", onIncomplete: "warn" }),
      NOW,
    );
    expect(result.verdict).toBe("passed");
    expect(result.reason).toMatch(/^passed: 1 criterion checked, 1 not evaluated \(min-severity\)/);
  });

  it("on the partial results of an incomplete scan, a criterion not violated is not evaluated", () => {
    const partial = {
      complete: false as const,
      reason: "scan 42 finished with results status TIME_LIMIT_EXCEEDED",
    };
    const result = evaluate(
      input({ completion: partial }),
      policy({ minSeverity: "5", failOnQids: "1", onIncomplete: "warn" }),
      NOW,
    );
    // A violation found is real; the absence of one in half a scan proves nothing.
    expect(result.verdict).toBe("failed");
    expect(result.criteria[0]).toMatchObject({ id: "min-severity", outcome: "fail" });
    expect(result.criteria[1]).toMatchObject({
      id: "qids",
      outcome: "not-evaluated",
      actual: "none",
      notEvaluatedReason:
        "the scan is incomplete (scan 42 finished with results status TIME_LIMIT_EXCEEDED); its results show no violation",
    });
  });

  it("a severity criterion is not evaluated when a finding's severity is unknown", () => {
    const result = evaluate(
      input({ findings: [finding(150099, undefined)], statsCounts: undefined }),
      policy({ minSeverity: "4", failOnQids: "1" }),
      NOW,
    );
    expect(result.criteria[0]).toMatchObject({
      id: "min-severity",
      outcome: "not-evaluated",
      notEvaluatedReason: "severity unknown for 1 finding (QIDs 150099)",
    });
    // The QID criterion does not need severities: it was evaluated.
    expect(result.criteria[1]).toMatchObject({ id: "qids", outcome: "pass" });
  });
});

describe("evaluate: exceptions", () => {
  const exception = (id: string, expires: string, extra: Partial<Policy["exceptions"][number]> = {}) => ({
    id,
    reason: `reason ${id}`,
    expires,
    qids: [{ from: 150001, to: 150002 }],
    targets: undefined,
    urls: undefined,
    ...extra,
  });

  it("an applied exception removes findings from every criterion", () => {
    const p = policy({ minSeverity: "5" }, { exceptions: [exception("waf", "2026-12-01")] });
    const result = evaluate(input(), p, NOW);
    expect(result.verdict).toBe("passed");
    expect(result.exceptions).toEqual([
      {
        id: "waf",
        reason: "reason waf",
        expires: "2026-12-01",
        status: "applied",
        matched: 2,
        scope: "QID 150001-150002",
      },
    ]);
    expect(result.findings.filter((f) => f.disposition === "excepted").map((f) => f.exceptionId)).toEqual([
      "waf",
      "waf",
    ]);
  });

  it("an expired exception no longer applies, and is reported", () => {
    const p = policy({ minSeverity: "5" }, { exceptions: [exception("old", "2026-11-30")] });
    const result = evaluate(input(), p, NOW);
    expect(result.verdict).toBe("failed");
    expect(result.exceptions[0]).toMatchObject({ status: "expired", matched: 2 });
    expect(result.warnings).toContain(
      "exception old expired on 2026-11-30 and no longer applies (2 findings now count)",
    );
  });

  it("an unused exception is reported", () => {
    const p = policy({}, { exceptions: [exception("none", "2027-01-01", { qids: [{ from: 1, to: 1 }] })] });
    const result = evaluate(input(), p, NOW);
    expect(result.exceptions[0]).toMatchObject({ status: "unused", matched: 0 });
    expect(result.warnings).toContain("exception none matched no finding; it may be obsolete");
  });

  it.each([
    [{ targets: ["shop"] }, 2],
    [{ targets: ["1001"] }, 2],
    [{ targets: ["other-app"] }, 0],
    [{ urls: ["https://shop.example/p15000*"] }, 2],
    [{ urls: ["HTTPS://SHOP.EXAMPLE/p150001"] }, 1],
    [{ urls: ["https://other.example/*"] }, 0],
  ])("scoped %j matches %d", (scope, matched) => {
    const p = policy({}, { exceptions: [exception("s", "2027-01-01", scope)] });
    expect(evaluate(input(), p, NOW).exceptions[0]?.matched).toBe(matched);
  });

  it("QID exclusions come before exceptions", () => {
    const p = policy({ excludeQids: "150001" }, { exceptions: [exception("waf", "2027-01-01")] });
    const result = evaluate(input(), p, NOW);
    expect(result.findings.find((f) => f.qid === 150001)?.disposition).toBe("excluded");
    expect(result.exceptions[0]?.matched).toBe(1);
  });
});

describe("evaluate: baseline", () => {
  const baseline = new Set(FINDINGS.slice(0, 2).map((f) => f.fingerprint));

  it("newOnly criteria count only findings absent from the baseline", () => {
    const base = policy({});
    const p = {
      ...base,
      severityCounts: [{ severity: 5 as const, max: 0, action: "fail" as const, newOnly: true }],
    };
    expect(evaluate(input({ baseline }), p, NOW).verdict).toBe("passed");
    const grown = [...FINDINGS, finding(150003, 5)];
    const result = evaluate(input({ baseline, findings: grown }), p, NOW);
    expect(result.verdict).toBe("failed");
    expect(result.criteria[0]).toMatchObject({ actual: "1", newOnly: true });
    expect(result.findings.filter((f) => !f.isNew).map((f) => f.qid)).toEqual([150001, 150002]);
  });

  it("criteria without newOnly still count every finding", () => {
    expect(evaluate(input({ baseline }), policy({ maxSeverityCount: "5=0" }), NOW).verdict).toBe("failed");
  });
});

describe("evaluate: counts", () => {
  it("reports both counts and flags a difference", () => {
    const result = evaluate(input(), policy({}), NOW);
    expect(result.severityCounts).toEqual({
      counted: [0, 0, 3, 1, 2],
      notCounted: { excluded: [0, 0, 0, 0, 0], excepted: [0, 0, 0, 0, 0], potential: [0, 0, 0, 0, 0] },
      inBaseline: undefined,
      fromFindings: [0, 0, 3, 1, 2],
      fromStats: [0, 0, 3, 1, 2],
      differ: false,
    });
    const differing = evaluate(input({ statsCounts: [0, 0, 3, 1, 3] }), policy({}), NOW);
    expect(differing.severityCounts.differ).toBe(true);
    expect(differing.warnings[0]).toBe(
      "severity counts differ: findings list 0/0/3/1/2, scan statistics 0/0/3/1/3 (severity 1/2/3/4/5); the criteria use the findings list",
    );
  });

  it("counts what the criteria saw apart from what they did not, by reason", () => {
    const findings = [
      ...FINDINGS,
      { ...finding(150030, 5), potential: true },
      { ...finding(150031, 4), potential: true },
    ];
    const result = evaluate(
      input({ findings, statsCounts: undefined, baseline: new Set([FINDINGS[2]?.fingerprint ?? ""]) }),
      policy(
        { maxSeverityCount: "5=0", excludeQids: "150001" },
        {
          exceptions: [
            {
              id: "waf",
              reason: "WAF",
              expires: "2027-01-01",
              qids: [{ from: 150020, to: 150020 }],
              targets: undefined,
              urls: undefined,
            },
          ],
        },
      ),
      NOW,
    );
    expect(result.severityCounts.counted).toEqual([0, 0, 2, 1, 1]);
    expect(result.severityCounts.notCounted).toEqual({
      excluded: [0, 0, 0, 0, 1],
      excepted: [0, 0, 1, 0, 0],
      potential: [0, 0, 0, 1, 1],
    });
    expect(result.severityCounts.inBaseline).toEqual([0, 0, 0, 1, 0]);
    // Every vulnerability in the list, as the scan's own statistics would count them.
    expect(result.severityCounts.fromFindings).toEqual([0, 0, 3, 2, 3]);
    expect(result.criteria[0]).toMatchObject({ id: "severity-count-5", actual: "1" });
  });

  it("is pure: the same input gives the same output", () => {
    const p = policy({ maxSeverityCount: "5=0", minSeverity: "3" });
    expect(evaluate(input(), p, NOW)).toEqual(evaluate(input(), p, NOW));
  });
});

describe("evaluate: the VM criteria", () => {
  function vmFinding(
    qid: number,
    severity: Severity,
    extra: { potential?: boolean; cves?: string[]; v2?: number; v3?: number; pci?: boolean } = {},
  ): ScanFinding {
    const base = finding(qid, severity, undefined);
    return {
      ...base,
      potential: extra.potential ?? false,
      definition: {
        qid,
        title: `QID ${qid}`,
        severity,
        category: undefined,
        vulnType: undefined,
        diagnosis: undefined,
        consequence: undefined,
        solution: undefined,
        cves: extra.cves ?? [],
        cvssV2Base: extra.v2,
        cvssV3Base: extra.v3,
        cvssV3Vector: undefined,
        pci: extra.pci ?? false,
        cwe: [],
        owasp: [],
        wasc: [],
      },
    };
  }
  const VM = [
    vmFinding(1001, 5, { cves: ["CVE-2021-44228"], v2: 9.3, v3: 10, pci: true }),
    vmFinding(1002, 3, { cves: ["CVE-2014-0160", "CVE-2014-0161"], v2: 7.8, v3: 5.3 }),
    vmFinding(1003, 5, { potential: true, v3: 9.8 }),
    vmFinding(1004, 2, { v2: 2.1 }),
  ];
  const vm = (flags: PolicyFlags) =>
    evaluate(input({ findings: VM, statsCounts: undefined }), policy(flags), NOW);

  it.each([
    [{ minSeverity: "5" }, "failed", "1 (QIDs 1001)"],
    [{ minSeverity: "5", includePotential: true }, "failed", "2 (QIDs 1001, 1003)"],
    [{ minSeverity: "4", excludeQids: "1001" }, "passed", "none"],
    [{ minSeverity: "4", excludeCves: " CVE-2021-44228 " }, "passed", "none"],
    [{ failOnCves: "cve-2014-0161" }, "failed", "CVE-2014-0161"],
    [{ failOnCves: "CVE-2014-0161", excludeQids: "1002" }, "passed", "none"],
    [{ failOnCvss: "7.8", cvssVersion: "2" }, "failed", "2 (highest 9.3)"],
    [{ failOnCvss: "9.4", cvssVersion: "2" }, "passed", "none (highest 9.3)"],
    [{ failOnCvss: "9.9", cvssVersion: "3" }, "failed", "1 (highest 10)"],
    [{ failOnCvss: "7.8" }, "failed", "2 (highest 10)"],
    [
      { failOnCvss: "9.9", includePotential: true, cvssVersion: "3", excludeQids: "1001" },
      "passed",
      "none (highest 9.8)",
    ],
    [{ failOnPci: true }, "failed", "1 (QIDs 1001)"],
  ] as const)("%j -> %s, actual %s", (flags, verdict, actual) => {
    const result = vm(flags);
    expect(result.verdict).toBe(verdict);
    expect(result.criteria[0]?.actual).toBe(actual);
  });

  it("potential findings not evaluated are kept and marked", () => {
    const result = vm({ minSeverity: "1" });
    expect(result.findings.find((f) => f.qid === 1003)?.disposition).toBe("potential");
    expect(result.criteria[0]?.findings).toHaveLength(3);
  });
});
