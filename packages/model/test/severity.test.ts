import { describe, expect, it } from "vitest";
import { SECURITY_SEVERITY, SEVERITY_SCORE, toDefinitionRecord } from "../src/index.js";

const kb = (severity: number | undefined, cvssV3Base?: number) => ({
  qid: 150001,
  vulnType: "Vulnerability",
  severity,
  title: "t",
  category: undefined,
  lastServiceModificationDate: undefined,
  publishedDate: undefined,
  cves: [],
  diagnosis: undefined,
  consequence: undefined,
  solution: undefined,
  cvssV2: undefined,
  cvssV3: cvssV3Base === undefined ? undefined : { base: cvssV3Base, vector: undefined },
  pci: false,
});

describe("severity scores", () => {
  it("gives each level one score, the same in SARIF text and in definitions without CVSS", () => {
    expect(SEVERITY_SCORE).toEqual({ 1: 2.0, 2: 3.9, 3: 5.5, 4: 8.0, 5: 9.5 });
    expect(SECURITY_SEVERITY).toEqual({ 1: "2.0", 2: "3.9", 3: "5.5", 4: "8.0", 5: "9.5" });
    expect([1, 2, 3, 4, 5].map((level) => toDefinitionRecord(kb(level)).severityScore)).toEqual([
      2.0, 3.9, 5.5, 8.0, 9.5,
    ]);
    expect(toDefinitionRecord(kb(undefined)).severityScore).toBe(0);
    expect(toDefinitionRecord(kb(2, 7.1)).severityScore).toBe(7.1);
  });
});
