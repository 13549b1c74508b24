import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  loadPolicyFile,
  normalizePolicy,
  PolicyError,
  parseQidList,
  policyJsonSchema,
  QidListError,
} from "../src/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof PolicyError) return error.problems;
    throw error;
  }
  throw new Error("expected a PolicyError");
}

function policyFile(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "policy-"));
  const file = path.join(dir, "policy.yaml");
  writeFileSync(file, text);
  return file;
}

describe("parseQidList", () => {
  it.each([
    [
      "150000-150100,150263",
      [
        { from: 150000, to: 150100 },
        { from: 150263, to: 150263 },
      ],
    ],
    [
      " 150179 - 150181 , 6 ",
      [
        { from: 150179, to: 150181 },
        { from: 6, to: 6 },
      ],
    ],
    [
      ["150001", 150002],
      [
        { from: 150001, to: 150001 },
        { from: 150002, to: 150002 },
      ],
    ],
  ] as const)("%j", (input, expected) => {
    expect(parseQidList(input as string, "--fail-on-qids")).toEqual(expected);
  });

  it.each([
    ["150000,,150001", "entry 2 is empty"],
    ["150000,", "entry 2 is empty"],
    ["15x", '"15x" is not a QID'],
    ["150100-150000", "ends before it starts"],
    ["1-2-3", '"1-2-3" is not a QID'],
    ["0", "QIDs start at 1"],
  ])("rejects %j: %s", (input, message) => {
    expect(() => parseQidList(input, "--fail-on-qids")).toThrow(QidListError);
    expect(() => parseQidList(input, "--fail-on-qids")).toThrow(
      new RegExp(`^--fail-on-qids: .*${message.replace(/[()]/g, "\\$&")}`),
    );
  });
});

describe("normalizePolicy", () => {
  it("reads the Azure DevOps WAS connector's flags", () => {
    const policy = normalizePolicy(
      {
        maxSeverityCount: "5=0, 4 = 2",
        failOnQids: "150000-150100,150263",
        minSeverity: "4",
        excludeQids: "150022",
      },
      undefined,
    );
    expect(policy.severityCounts).toEqual([
      { severity: 5, max: 0, action: "fail", newOnly: false },
      { severity: 4, max: 2, action: "fail", newOnly: false },
    ]);
    expect(policy.minSeverity).toEqual({ severity: 4, action: "fail", newOnly: false });
    expect(policy.failOnQids?.qids).toEqual([
      { from: 150000, to: 150100 },
      { from: 150263, to: 150263 },
    ]);
    expect(policy.excludeQids).toEqual([{ from: 150022, to: 150022 }]);
    expect(policy.onIncomplete).toBe("fail");
  });

  it("collects every bad flag, naming each", () => {
    expect(
      problems(() =>
        normalizePolicy(
          {
            maxSeverityCount: "6=1,5=x,5=0,5=1",
            minSeverity: "high",
            failOnQids: "1,,2",
            onIncomplete: "ignore",
          },
          undefined,
        ),
      ),
    ).toEqual([
      'maxSeverityCount: "6=1" is not SEVERITY=MAX with SEVERITY 1 to 5 and MAX 0 or more',
      'maxSeverityCount: "5=x" is not SEVERITY=MAX with SEVERITY 1 to 5 and MAX 0 or more',
      "maxSeverityCount: severity 5 is given twice",
      'minSeverity: "high" is not a severity from 1 to 5',
      "failOnQids: entry 2 is empty",
      'onIncomplete: "ignore" must be fail or warn',
    ]);
  });

  it("lets flags win over the file for the criterion they set", () => {
    const file = loadPolicyFile(
      policyFile(
        'version: 1\ncriteria:\n  severityCounts: { "5": 3, "4": { max: 1, action: warn } }\n  minSeverity: 3\n',
      ),
    );
    const policy = normalizePolicy({ maxSeverityCount: "5=0" }, file);
    expect(policy.severityCounts).toEqual([
      { severity: 5, max: 0, action: "fail", newOnly: false },
      { severity: 4, max: 1, action: "warn", newOnly: false },
    ]);
    expect(policy.minSeverity?.severity).toBe(3);
  });

  it("requires a reason, a real expiry date and a scope on exceptions, and a baseline for newOnly", () => {
    const file = policyFile(
      [
        "version: 1",
        "criteria:",
        "  minSeverity: { severity: 4, newOnly: true }",
        "exceptions:",
        "  - { id: a, reason: ok, expires: '2027-02-30', qids: '150001' }",
        "  - { id: a, reason: ok, expires: '2027-01-01', qids: '150001' }",
        "  - { id: b, reason: ok, expires: '2027-01-01' }",
        "  - { id: c, reason: ok, expires: '2027-01-01', qids: '1,x' }",
      ].join("\n"),
    );
    expect(problems(() => normalizePolicy({}, loadPolicyFile(file)))).toEqual([
      'policy exceptions[0] (a): expires "2027-02-30" is not a real date',
      "policy exceptions[1] (a): the id is used twice",
      "policy exceptions[2] (b): needs qids or urls; an exception that covers everything is not an exception",
      'policy exceptions[3] (c) qids: "x" is not a QID or a range such as 150000-150100',
      "criteria.minSeverity: newOnly needs a baseline (baseline FILE or baseline: in the policy)",
    ]);
  });

  it("names the file and the path of a schema problem", () => {
    const file = policyFile(
      "version: 1\ncriteria:\n  minSeverity: 7\n  maxCount: 3\nexceptions:\n  - { id: x, expires: 2027-01-01, qids: '1' }\n",
    );
    const found = problems(() => loadPolicyFile(file));
    expect(found.every((p) => p.startsWith(`policyFile ${file}: `))).toBe(true);
    expect(found.join("\n")).toMatch(/criteria: Unrecognized key: "maxCount"/);
    expect(found.join("\n")).toMatch(/exceptions\.0\.reason/);
  });

  it("rejects an unreadable or non-YAML file", () => {
    expect(problems(() => loadPolicyFile("/nonexistent/policy.yaml"))).toEqual([
      "policyFile /nonexistent/policy.yaml: cannot be read (ENOENT)",
    ]);
    const bad = policyFile("version: [1\n");
    expect(problems(() => loadPolicyFile(bad))[0]).toMatch(/not valid YAML or JSON/);
  });

  it("resolves the file's baseline against the file's folder", () => {
    const file = policyFile("version: 1\nbaseline: base/line.json\n");
    expect(normalizePolicy({}, loadPolicyFile(file)).baselinePath).toBe(
      path.join(path.dirname(file), "base/line.json"),
    );
  });
});

describe("policy JSON Schema", () => {
  const committed = JSON.parse(
    readFileSync(path.join(root, "packages/gate/schema/policy.schema.json"), "utf8"),
  );

  it("is the one generated from the zod schema (npm run gen:policy-schema)", () => {
    expect(committed).toEqual(policyJsonSchema());
  });

  it("accepts the documented example and rejects a wrong one", () => {
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(committed);
    const example = parseYaml(readFileSync(path.join(root, "docs/examples/gate-policy.yaml"), "utf8"));
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ version: 1, criteria: { minSeverity: 9 } })).toBe(false);
    expect(validate({ version: 1, exceptions: [{ id: "x", expires: "2027-01-01" }] })).toBe(false);
  });

  it("the documented example also passes the normalizer", () => {
    const file = loadPolicyFile(path.join(root, "docs/examples/gate-policy.yaml"));
    const policy = normalizePolicy({}, file);
    expect(policy.exceptions.map((e) => e.id)).toEqual(["legacy-search-xss"]);
    expect(policy.severityCounts.map((r) => r.severity)).toEqual([5, 4, 3]);
  });
});

describe("VM policy entries", () => {
  it("reads the Jenkins VM connector's criteria from flags, trimming every list entry", () => {
    const policy = normalizePolicy(
      {
        failOnCves: " CVE-2017-1000116 , cve-2018-2771",
        failOnCvss: "7.5",
        cvssVersion: "3",
        failOnPci: true,
        includePotential: true,
        excludeCves: "CVE-2014-0160 ,CVE-2014-0160",
        excludeQids: " 38170 , 38173-38175 ",
      },
      undefined,
    );
    expect(policy.failOnCves?.cves).toEqual(["CVE-2017-1000116", "CVE-2018-2771"]);
    expect(policy.failOnCvss).toEqual({ score: 7.5, version: "3", action: "fail", newOnly: false });
    expect(policy.failOnPci).toEqual({ action: "fail", newOnly: false });
    expect(policy.includePotential).toBe(true);
    expect(policy.excludeCves).toEqual(["CVE-2014-0160"]);
    expect(policy.excludeQids).toEqual([
      { from: 38170, to: 38170 },
      { from: 38173, to: 38175 },
    ]);
  });

  it("reads them from the policy file", () => {
    const file = policyFile(
      [
        "version: 1",
        "criteria:",
        "  failOnCves: [CVE-2021-44228]",
        "  failOnCvss: { score: 9, version: '2', action: warn }",
        "  failOnPci: { action: warn }",
        "  includePotential: true",
        "excludeCves: 'CVE-2014-0160'",
      ].join("\n"),
    );
    const policy = normalizePolicy({}, loadPolicyFile(file));
    expect(policy.failOnCvss).toEqual({ score: 9, version: "2", action: "warn", newOnly: false });
    expect(policy.failOnPci?.action).toBe("warn");
    expect(policy.failOnCves?.cves).toEqual(["CVE-2021-44228"]);
    expect(policy.excludeCves).toEqual(["CVE-2014-0160"]);
  });

  it("a bad CVE entry or CVSS value is an error naming the flag", () => {
    expect(
      problems(() =>
        normalizePolicy(
          { excludeCves: "CVE-2017-1000116,, nope", failOnCvss: "high", cvssVersion: "4" },
          undefined,
        ),
      ),
    ).toEqual([
      'failOnCvss: "high" is not a CVSS base score from 0 to 10',
      'cvssVersion: "4" must be 2, 3 or max',
      'excludeCves: entry 2 is empty; "nope" is not a CVE id such as CVE-2021-44228',
    ]);
  });
});
