import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OFFICIAL_SARIF_SCHEMA, PACKAGED_SARIF_SCHEMA, sarifValidator } from "../../../test/sarif-schema.js";
import type { GateResult } from "../src/index.js";
import { renderSarif } from "../src/writers/sarif.js";
import {
  cleanResult,
  erroredScanResult,
  errorResult,
  HOSTILE,
  HOSTILE_AS_KB_TEXT,
  sampleResult,
} from "./sample-result.js";

/** The parts of a SARIF log these tests read. */
interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        rules: {
          id: string;
          name: string;
          shortDescription: { text: string };
          fullDescription?: { text: string };
          help?: { text: string };
          defaultConfiguration: { level: string };
          properties: { tags: string[]; "security-severity"?: string; precision: string };
        }[];
      };
    };
    automationDetails?: { id: string };
    invocations: {
      executionSuccessful: boolean;
      exitCode: number;
      exitCodeDescription: string;
      toolExecutionNotifications?: { level: string; message: { text: string } }[];
    }[];
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations?: { physicalLocation: { artifactLocation: { uri: string } } }[];
      partialFingerprints: Record<string, string>;
      suppressions?: { kind: string; status?: string; justification?: string }[];
      properties: Record<string, unknown>;
    }[];
    properties: Record<string, unknown>;
  }[];
}

const officialSchemaPath = OFFICIAL_SARIF_SCHEMA;
const packagedSchemaPath = PACKAGED_SARIF_SCHEMA;
const validator = sarifValidator;

function render(result: GateResult): SarifLog {
  return JSON.parse(renderSarif(result));
}

function run(result: GateResult) {
  const first = render(result).runs[0];
  if (first === undefined) throw new Error("no run");
  return first;
}

const fixtures: [string, () => GateResult][] = [
  ["sampleResult", sampleResult],
  ["cleanResult", cleanResult],
  ["errorResult", errorResult],
  ["erroredScanResult", () => erroredScanResult()],
];

describe("renderSarif schema validity", () => {
  const packaged = validator(packagedSchemaPath);
  it.each(fixtures)("%s validates against the SARIF 2.1.0 schema from @microsoft/jest-sarif", (_, make) => {
    const valid = packaged(JSON.parse(renderSarif(make())));
    expect(packaged.errors ?? [], JSON.stringify(packaged.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it("rejects a log that breaks the schema, so the checks above are not vacuous", () => {
    const log = render(sampleResult());
    const location = log.runs[0]?.results[0]?.locations?.[0];
    if (location === undefined) throw new Error("fixture");
    location.physicalLocation.artifactLocation.uri = "https://shop.example/a b";
    expect(packaged(log)).toBe(false);
    expect(packaged({ ...log, version: "2.0.0" })).toBe(false);
  });

  it.skipIf(!existsSync(officialSchemaPath)).each(fixtures)(
    "%s validates against the OASIS SARIF 2.1.0 schema",
    (_, make) => {
      const official = validator(officialSchemaPath);
      const valid = official(JSON.parse(renderSarif(make())));
      expect(official.errors ?? [], JSON.stringify(official.errors, null, 2)).toEqual([]);
      expect(valid).toBe(true);
    },
  );
});

describe("renderSarif content", () => {
  it("writes the header and the driver", () => {
    const log = render(sampleResult());
    expect(log.$schema).toBe("https://json.schemastore.org/sarif-2.1.0.json");
    expect(log.version).toBe("2.1.0");
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0]?.tool.driver.name).toBe("qualys-connector");
    expect(log.runs[0]?.tool.driver.version).toBe("0.1.0");
  });

  it("has one rule per QID, described by the KnowledgeBase definition", () => {
    const result = sampleResult();
    const extra = result.findings[0];
    if (extra === undefined) throw new Error("fixture");
    result.findings.push({ ...extra, fingerprint: "f".repeat(32), url: "https://shop.example/other" });
    const { rules } = run(result).tool.driver;
    expect(rules.map((r) => r.id)).toEqual([
      "QID-150000",
      "QID-150001",
      "QID-150002",
      "QID-150003",
      "QID-150004",
      "QID-150005",
    ]);
    const rule = rules[0];
    expect(rule?.name).toBe("ReflectedXSS0");
    expect(rule?.shortDescription.text).toBe("Reflected XSS 0");
    // KnowledgeBase HTML becomes text: markup is dropped, entities decoded.
    expect(rule?.fullDescription?.text).toBe(`Diagnosis ${HOSTILE_AS_KB_TEXT}`);
    expect(rule?.help?.text).toBe(`Encode output. ${HOSTILE_AS_KB_TEXT}`);
    expect(rule?.properties.tags).toEqual(["security", "external/cwe/cwe-79"]);
    expect(rule?.properties.precision).toBe("high");
  });

  it("maps severity to security-severity and level", () => {
    const { rules } = run(sampleResult()).tool.driver;
    const severity5 = rules.find((r) => r.id === "QID-150004");
    expect(severity5?.properties["security-severity"]).toBe("9.5");
    expect(severity5?.defaultConfiguration.level).toBe("error");
    const severity1 = rules.find((r) => r.id === "QID-150000");
    expect(severity1?.properties["security-severity"]).toBe("2.0");
    expect(severity1?.defaultConfiguration.level).toBe("note");
  });

  it("has one result per finding, pointing at its rule", () => {
    const result = sampleResult();
    const sarifRun = run(result);
    expect(sarifRun.results).toHaveLength(result.findings.length);
    for (const [i, sarifResult] of sarifRun.results.entries()) {
      const finding = result.findings[i];
      expect(sarifResult.ruleId).toBe(`QID-${finding?.qid}`);
      expect(sarifRun.tool.driver.rules[sarifResult.ruleIndex]?.id).toBe(sarifResult.ruleId);
      expect(sarifResult.partialFingerprints).toEqual({ "qualysFingerprint/v1": finding?.fingerprint });
      expect(sarifResult.locations?.[0]?.physicalLocation.artifactLocation.uri).toBe(finding?.url);
      expect(sarifResult.properties).toEqual({
        qid: finding?.qid,
        severity: finding?.severity,
        authenticated: finding?.authenticated,
        isNew: finding?.isNew,
        disposition: finding?.disposition,
      });
    }
    expect(sarifRun.results[4]?.level).toBe("error");
  });

  it("marks excepted and excluded findings as suppressed", () => {
    const results = run(sampleResult()).results;
    expect(results[0]?.suppressions).toBeUndefined();
    expect(results[4]?.suppressions).toEqual([
      {
        kind: "external",
        status: "accepted",
        justification: `Compensating WAF rule ${HOSTILE}`,
        properties: { exceptionId: "accepted-risk-1" },
      },
    ]);
    expect(results[5]?.suppressions).toEqual([
      { kind: "external", status: "accepted", justification: "QID or CVE excluded by policy" },
    ]);
  });

  it("keeps hostile text exactly through the JSON round trip", () => {
    const result = sampleResult();
    const sarifRun = run(result);
    const finding = result.findings[1];
    expect(sarifRun.results[1]?.message.text).toBe(`${finding?.title} at ${finding?.url} (parameter q)`);
    expect(sarifRun.results[1]?.message.text).toContain(HOSTILE);
    expect(sarifRun.properties.scanName).toBe(`pipeline_azureDevOps_build_7_${HOSTILE}`);
  });

  it("percent-encodes what a URI cannot hold in the location, and keeps the URL as reported in the message", () => {
    const result = sampleResult();
    const first = result.findings[0];
    if (first === undefined) throw new Error("fixture");
    first.url = `https://shop.example/a b/${HOSTILE}?q=100%&r=%41\u00e9\ud800`;
    const sarifResult = run(result).results[0];
    expect(sarifResult?.locations?.[0]?.physicalLocation.artifactLocation.uri).toBe(
      "https://shop.example/a%20b/%3Cscript%3Ealert(%22x%22)%3C/script%3E%3Cimg%20src=x%20onerror=alert(1)%3E]]%3E&amp;%7C=cmd%7C'%20/C%20calc'!A0?q=100%25&r=%41%C3%A9%EF%BF%BD",
    );
    // The message keeps the URL as reported, less the lone surrogate, which no well-formed string can hold.
    expect(sarifResult?.message.text).toBe(
      `${first.title} at ${first.url.replace("\ud800", "")} (parameter q)`,
    );
    const validate = validator(packagedSchemaPath);
    expect(validate(JSON.parse(renderSarif(result))), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it("writes well-formed strings only: NUL and lone surrogates removed, bidirectional overrides shown escaped", () => {
    const result = sampleResult();
    const first = result.findings[0];
    if (first === undefined || result.scan === undefined) throw new Error("fixture");
    first.title = "Reflected\u0000 XSS \u202egpj.exe\ud800 \u{1f600}";
    if (first.definition) first.definition.title = first.title;
    result.scan.name = "nightly\u0001\u2066x\u2069\udfff";
    result.warnings = ["warn\u0000ing \u202d"];
    const text = renderSarif(result);
    expect(text).not.toMatch(
      /\\u0000|\\u0001|\\ud[89a-f][0-9a-f]{2}|\p{Cc}(?<![\n])|[\u202a-\u202e\u2066-\u2069]/iu,
    );
    const sarifRun = JSON.parse(text).runs[0];
    expect(sarifRun.results[0].message.text).toMatch(/^Reflected XSS \\u202egpj\.exe \u{1f600} at /u);
    expect(sarifRun.tool.driver.rules[0].shortDescription.text).toBe(
      "Reflected XSS \\u202egpj.exe \u{1f600}",
    );
    expect(sarifRun.properties.scanName).toBe("nightly\\u2066x\\u2069");
    expect(sarifRun.invocations[0].toolExecutionNotifications).toContainEqual({
      level: "warning",
      message: { text: "warning \\u202d" },
    });
  });

  it("locates a finding without URL at the web app, or nowhere without a scan", () => {
    const result = sampleResult();
    const first = result.findings[0];
    if (first === undefined) throw new Error("fixture");
    first.url = undefined;
    first.param = undefined;
    const located = run(result).results[0];
    expect(located?.locations?.[0]?.physicalLocation.artifactLocation.uri).toBe(
      "https://vulnerable.scenario.example/",
    );
    expect(located?.message.text).toBe(first.title);
    expect(run({ ...result, scan: undefined }).results[0]?.locations).toBeUndefined();
  });

  it("records the verdict, the scan and the exit code of the run", () => {
    const sarifRun = run(sampleResult());
    expect(sarifRun.automationDetails?.id).toBe("qualys-was/1000002/");
    expect(sarifRun.invocations).toEqual([
      {
        executionSuccessful: true,
        exitCode: 1,
        exitCodeDescription: "failed: Severity 5 vulnerabilities: 1, more than 0",
        toolExecutionNotifications: [
          {
            level: "warning",
            message: {
              text: "severity counts differ: findings list 1/1/1/1/1, scan statistics 1/1/1/1/2 (severity 1..5)",
            },
          },
        ],
      },
    ]);
    expect(sarifRun.properties).toMatchObject({
      verdict: "failed",
      scanId: "4242",
      portalUrl:
        "https://qualysguard.qg2.apps.qualys.com/was/#/reports/online-reports/email-report/scan/4242",
    });
  });

  it("reports an error run as unsuccessful, without results or a category", () => {
    const sarifRun = run(errorResult());
    expect(sarifRun.results).toEqual([]);
    expect(sarifRun.tool.driver.rules).toEqual([]);
    expect(sarifRun.automationDetails).toBeUndefined();
    expect(sarifRun.invocations[0]?.executionSuccessful).toBe(false);
    expect(sarifRun.invocations[0]?.exitCode).toBe(3);
    expect(sarifRun.invocations[0]?.toolExecutionNotifications).toEqual([
      { level: "error", message: { text: "auth: Qualys rejected the credentials (INVALID_CREDENTIALS)" } },
    ]);
    expect(sarifRun.properties).toEqual({ verdict: "error", resultsAvailable: false });
  });

  it("uses the VM category for VM scans", () => {
    const result = sampleResult();
    if (result.scan === undefined) throw new Error("fixture");
    result.scan = { ...result.scan, kind: "vm", target: { id: "10.0.0.5", name: undefined, url: undefined } };
    expect(run(result).automationDetails?.id).toBe("qualys-vm/10.0.0.5/");
  });
});

describe("renderSarif: counts and criteria not evaluated", () => {
  it("reports criteria the scan gave nothing to judge by as notifications, with no counts", () => {
    const log = render(erroredScanResult());
    const sarifRun = log.runs[0];
    const notes = sarifRun?.invocations?.[0]?.toolExecutionNotifications?.map((n) => n.message.text) ?? [];
    expect(notes).toContain(
      "criterion not evaluated: Severity 5 (Urgent) vulnerabilities: more than 0 fails (the scan gave no results: scan 4242 ended ERROR (results status SCAN_INTERNAL_ERROR))",
    );
    expect(sarifRun?.properties).toMatchObject({ resultsAvailable: false });
    expect(sarifRun?.properties?.countedBySeverity).toBeUndefined();
  });

  it("separates counted findings from those no criterion counted", () => {
    const result = sampleResult();
    result.severityCounts.notCounted.excluded = [1, 0, 0, 0, 0];
    expect(render(result).runs[0]?.properties).toMatchObject({
      countedBySeverity: [1, 1, 1, 1, 1],
      notCountedBySeverity: { excluded: [1, 0, 0, 0, 0] },
    });
  });
});

describe("renderSarif: KnowledgeBase HTML", () => {
  it("describes the rule in plain text, without the KnowledgeBase markup", () => {
    const result = sampleResult();
    const definition = result.findings[0]?.definition;
    if (definition === undefined) throw new Error("fixture");
    definition.diagnosis = "<P>The server&#39;s version<BR>is old.";
    definition.solution = `<P>Upgrade to <B>2.4.58</B>.<BR>See <A HREF="https://httpd.apache.org/security/" TARGET="_blank">the advisory</A>.
<P>Steps:<UL><LI>stop &amp; patch</LI><LI><a href="javascript:alert(1)" onclick="x()">restart</a></LI></UL><script>alert(1)</script>`;
    const rule = render(result).runs[0]?.tool.driver.rules?.[0];
    expect(rule?.fullDescription?.text).toBe("The server's version\nis old.");
    expect(rule?.help?.text).toBe(
      "Upgrade to 2.4.58.\nSee the advisory (https://httpd.apache.org/security/).\n\nSteps:\n\n- stop & patch\n- restart",
    );
  });
});
