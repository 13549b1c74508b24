import { describe, expect, it } from "vitest";
import { toFinding } from "../src/index.js";

describe("toFinding", () => {
  const base = { id: 1, qid: 150001, name: "XSS", type: "VULNERABILITY" };

  it.each([
    ["XML", { list: { long: ["79", "80"] } }],
    ["XML, one item", { list: { long: "79" } }],
    ["JSON as documented", { count: 2, list: [79, 80] }],
    ["JSON with item objects", { count: 2, list: [{ long: 79 }, { long: 80 }] }],
  ])("reads CWE ids from %s", (_, cwe) => {
    const expected =
      Array.isArray(cwe.list) || Array.isArray((cwe.list as { long: unknown }).long) ? [79, 80] : [79];
    expect(toFinding({ ...base, cwe }).cwe).toEqual(expected);
  });

  it("reads OWASP and WASC classes in both encodings", () => {
    const json = toFinding({
      ...base,
      owasp: { count: 1, list: [{ OWASP: { code: "A03", name: "Injection" } }] },
      wasc: { count: 2, list: [{ WASC: { code: "WASC-17" } }, { WASC: { code: "WASC-16" } }] },
    });
    expect(json.owasp).toEqual([{ code: "A03", name: "Injection" }]);
    expect(json.wasc.map((w) => w.code)).toEqual(["WASC-17", "WASC-16"]);
    const xml = toFinding({ ...base, wasc: { count: "1", list: { WASC: { code: "WASC-8", name: "XSS" } } } });
    expect(xml.wasc).toEqual([{ code: "WASC-8", name: "XSS" }]);
  });
});
