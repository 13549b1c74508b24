import { describe, expect, it } from "vitest";
import { owaspClass, toFindingRecord } from "../src/index.js";

/**
 * A verbose finding as Qualys sends it in JSON: OWASP code is the rank, the edition only in the URL
 * (docs/qualys-api.md 3.9).
 */
function finding(owasp: unknown[], wasc: unknown[] = []): Record<string, unknown> {
  return {
    id: 12345670,
    uniqueId: "12345678-1234-1234-1234-421234567890",
    qid: 150084,
    name: "Unencoded characters",
    type: "VULNERABILITY",
    severity: "1",
    cwe: { count: 1, list: [79] },
    owasp: { count: owasp.length, list: owasp.map((o) => ({ OWASP: o })) },
    wasc: { count: wasc.length, list: wasc.map((w) => ({ WASC: w })) },
    webApp: { id: 987654321, name: "app", url: "https://web.example" },
  };
}

describe("OWASP classes keep their edition", () => {
  it("reads the edition of a verbose finding's OWASP entry from its URL", () => {
    const record = toFindingRecord(
      finding(
        [{ code: 3, name: "Injection", url: "https://owasp.org/Top10/A03_2021-Injection/" }],
        [
          {
            code: 22,
            name: "IMPROPER OUTPUT HANDLING",
            url: "http://projects.webappsec.org/w/page/13246934/WASC",
          },
        ],
      ),
    );
    expect(record.owasp).toEqual(["A03:2021"]);
    expect(record.cwe).toEqual(["CWE-79"]);
    expect(record.wasc).toEqual(["WASC-22"]);
  });

  it("keeps a 2017 mapping Qualys gives beside the 2021 one, each in its edition's own spelling", () => {
    const record = toFindingRecord(
      finding([
        { code: 3, name: "Injection", url: "https://owasp.org/Top10/A03_2021-Injection/" },
        { code: 1, name: "Injection", url: "https://owasp.org/www-project-top-ten/2017/A1_2017-Injection" },
      ]),
    );
    expect(record.owasp).toEqual(["A03:2021", "A1:2017"]);
  });

  it("tells the edition of a report's code by its name when only one edition has that name at that rank", () => {
    // Report files: glossary OWASP "A6" and OWASP_LIST names of 2017 (DefectDojo's qualys_webapp_one_vuln.xml).
    expect(owaspClass({ code: "A6", name: "Security Misconfiguration" })).toEqual({
      edition: 2017,
      code: "A6",
    });
    expect(owaspClass({ code: "A4", name: "XML External Entities (XXE)" })).toEqual({
      edition: 2017,
      code: "A4",
    });
    expect(owaspClass({ code: "5", name: "Security Misconfiguration" })).toEqual({
      edition: 2021,
      code: "A05",
    });
    // Injection is rank 1 in 2017 and rank 3 in 2021: rank and name decide.
    expect(owaspClass({ code: "A1", name: "Injection" })).toEqual({ edition: 2017, code: "A1" });
    // Written out already, or unknown: kept as given, never guessed.
    expect(owaspClass({ code: "A05:2021" })).toEqual({ edition: 2021, code: "A05" });
    expect(owaspClass({ code: "A6" })).toEqual({ edition: undefined, code: "A6" });
  });
});
