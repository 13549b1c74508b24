import { QualysConfigError } from "@qualys-connector/client";
import { describe, expect, it } from "vitest";
import { DEFAULT_SEVERITY_LABELS, parseSeverityMap } from "../src/index.js";

describe("parseSeverityMap", () => {
  it("lays JSON cells over the default table", () => {
    const map = parseSeverityMap(
      '{"VULNERABILITY": {"4": "High", "5": "P1"}, "INFORMATION_GATHERED": {"3": "Info"}}',
      "map.json",
    );
    expect(map.VULNERABILITY).toEqual({ 1: "Low", 2: "Medium", 3: "High", 4: "High", 5: "P1" });
    expect(map.INFORMATION_GATHERED[3]).toBe("Info");
    expect(map.POTENTIAL).toEqual(DEFAULT_SEVERITY_LABELS.POTENTIAL);
  });

  it("reads YAML too", () => {
    const map = parseSeverityMap("SENSITIVE_CONTENT:\n  1: Medium\n", "map.yaml");
    expect(map.SENSITIVE_CONTENT[1]).toBe("Medium");
  });

  it("an empty object is the default table", () => {
    expect(parseSeverityMap("{}", "m.json")).toEqual(DEFAULT_SEVERITY_LABELS);
  });

  it("lists every problem, naming the file and the bad key or value", () => {
    let error: unknown;
    try {
      parseSeverityMap(
        '{"VULN": {}, "POTENTIAL": {"6": "x", "2": "", "3": 4}, "VULNERABILITY": "High"}',
        "map.json",
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QualysConfigError);
    expect((error as QualysConfigError).problems).toEqual([
      'map.json: unknown finding kind "VULN" (expected VULNERABILITY, POTENTIAL, SENSITIVE_CONTENT, INFORMATION_GATHERED)',
      'map.json: POTENTIAL.2: the label must be a non-empty text, not ""',
      "map.json: POTENTIAL.3: the label must be a non-empty text, not 4",
      'map.json: POTENTIAL: "6" is not a severity (1 to 5)',
      'map.json: VULNERABILITY must map severities 1 to 5 to labels, as { "1": "Low", … }',
    ]);
  });

  it("refuses text that is not a map", () => {
    expect(() => parseSeverityMap("[1, 2]", "m.json")).toThrow(
      /m\.json: a severity map is an object of finding kinds/,
    );
    expect(() => parseSeverityMap("{ bad", "m.json")).toThrow(/m\.json: not valid JSON or YAML/);
    expect(() => parseSeverityMap('{"VULNERABILITY": {"1": "a\\nb"}}', "m.json")).toThrow(/one line/);
  });
});
