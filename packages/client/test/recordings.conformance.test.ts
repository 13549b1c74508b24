/**
 * Contract tests: the real recorded Qualys answers (the JupiterOne HAR recordings under QUALYS_CORPUS_DIR,
 * see test/corpus.ts, of qualysapi.qg3.apps.qualys.com) through the client's readers.
 */
import { describe, expect, it } from "vitest";
import { HAS_CORPUS, harEntries } from "../../../test/corpus.js";
import {
  at,
  int,
  parseXml,
  QualysApiError,
  QualysAuthError,
  readServiceResponse,
  readSimpleReturn,
  simpleReturnError,
  text,
} from "../src/index.js";

function recorded(file: string, index = 0) {
  const entry = harEntries(`jupiterone/${file}`)[index];
  if (!entry) throw new Error(`no entry ${index} in ${file}`);
  const header = (name: string) => entry.response.headers.find((h) => h.name.toLowerCase() === name)?.value;
  return {
    body: entry.response.content.text ?? "",
    status: entry.response.status,
    header,
    request: { method: entry.request.method, url: entry.request.url },
  };
}

describe.skipIf(!HAS_CORPUS)("client readers on real Qualys answers", () => {
  it("web app search: 7 web apps with ids, names and owners; no more records", () => {
    const r = recorded("iterateWebApps_4264083977.har");
    const sr = readServiceResponse(r.body, r.request);
    expect(sr.count).toBe(7);
    expect(sr.hasMoreRecords).toBe(false);
    expect(sr.lastId).toBeUndefined();
    expect(sr.records).toHaveLength(7);
    expect(sr.records.every((rec) => rec.element === "WebApp")).toBe(true);
    const first = sr.records[0]?.value;
    expect(int(first?.id)).toBe(238483924);
    expect(text(first?.name)).toBe("http://rest.vulnweb.com/");
    expect(int(at(first, "owner.id"))).toBe(17729931);
    expect(sr.records.map((rec) => text(rec.value.name))).toContain("Juice Shop");
  });

  it("a filter that matches nothing: count 0, no records", () => {
    const r = recorded("iterateWebAppsFilteredNotFound_1713028025.har");
    const sr = readServiceResponse(r.body, r.request);
    expect(sr.count).toBe(0);
    expect(sr.records).toEqual([]);
    expect(sr.hasMoreRecords).toBe(false);
  });

  it("INVALID_REQUEST with HTTP 200 becomes a QualysApiError with the real message and resolution", () => {
    const r = recorded("iterateWebAppFindingsBadId_3730797176.har");
    expect(r.status).toBe(200);
    try {
      readServiceResponse(r.body, r.request);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(QualysApiError);
      expect(error).toMatchObject({
        code: "INVALID_REQUEST",
        text: "Criteria: Invalid value format for criteria 'webApp.id' (abc123).",
        resolution: "Specify criteria value(s) as Long.",
      });
    }
  });

  it("INVALID_CREDENTIALS with HTTP 200 becomes a QualysAuthError", () => {
    const r = recorded("verifyAuthenticationInaccesible_1787272724.har");
    expect(() => readServiceResponse(r.body, r.request)).toThrow(QualysAuthError);
  });

  it("portal version: Portal-Version and QWeb-Version records", () => {
    const r = recorded("fetchPortalInfo_3149900553.har");
    const sr = readServiceResponse(r.body, r.request);
    const portal = sr.records.find((rec) => rec.element === "Portal-Version")?.value;
    const qweb = sr.records.find((rec) => rec.element === "QWeb-Version")?.value;
    expect(text(portal?.["WAS-VERSION"])).toBe("6.13.1.0");
    expect(text(qweb?.["WEB-VERSION"])).toBe("10.3.0.2-2");
  });

  it("KB list: one VULN with its CVE and rate-limit headers read", () => {
    const r = recorded("iterateVulnerabilities_939003581.har");
    const doc = parseXml(r.body, r.request);
    const vuln = at(doc, "KNOWLEDGE_BASE_VULN_LIST_OUTPUT.RESPONSE.VULN_LIST.VULN");
    expect(int(at(vuln, "QID"))).toBe(316760);
    expect(int(at(vuln, "SEVERITY_LEVEL"))).toBe(3);
    expect(text(at(vuln, "CVE_LIST.CVE.ID"))).toBe("CVE-2020-3403");
    expect(Number(r.header("x-ratelimit-limit"))).toBe(300);
    expect(Number(r.header("x-ratelimit-remaining"))).toBe(291);
    expect(Number(r.header("x-concurrency-limit-limit"))).toBe(2);
  });

  it("KB bad id: HTTP 400 SIMPLE_RETURN 1905 becomes a QualysApiError", () => {
    const r = recorded("iterateVulnerabilitiesBadId_2017955229.har");
    expect(r.status).toBe(400);
    const sr = readSimpleReturn(parseXml(r.body, r.request));
    expect(sr?.code).toBe(1905);
    const error = sr ? simpleReturnError(sr, r.request) : undefined;
    expect(error).toBeInstanceOf(QualysApiError);
    expect((error as QualysApiError).text).toBe(
      "parameter ids has invalid value: abc123 (neither a positive integer nor a range: abc123)",
    );
  });

  it("host list with details=None: the ID_SET", () => {
    const r = recorded("iterateHostDetections_31119415.har", 0);
    const doc = parseXml(r.body, r.request);
    expect(int(at(doc, "HOST_LIST_OUTPUT.RESPONSE.ID_SET.ID"))).toBe(107800671);
  });
});
