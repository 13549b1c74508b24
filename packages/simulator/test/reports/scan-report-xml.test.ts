import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { resolveOptions } from "../../src/options.js";
import { renderScanReportXml } from "../../src/reports/scan-report-xml.js";
import { createUsers } from "../../src/users.js";
import { buildWorld, HOSTILE_PARAM, HOSTILE_PAYLOAD, HOSTILE_URL, OWNER } from "./fixture.js";
import { at, fromBase64, listAt, parseXml, textAt } from "./xml.js";

function render(scanIds = [2_000_001], mutate?: (world: ReturnType<typeof buildWorld>) => void) {
  const world = buildWorld(createUsers(resolveOptions()));
  mutate?.(world);
  const scans = scanIds.map((id) => {
    const scan = world.wasScans.get(id);
    if (!scan) throw new Error(`no scan ${id}`);
    return scan;
  });
  const xml = renderScanReportXml(world, {
    name: "Weekly <report>",
    description: null,
    generatedAt: Date.parse("2026-03-13T08:00:00Z"),
    user: OWNER,
    scans,
  });
  return { xml, doc: parseXml(xml) };
}

const R = "WAS_SCAN_REPORT";

describe("WAS_SCAN_REPORT rendering (docs/qualys-api.md 6.1)", () => {
  it("is well-formed XML with the real top-level sections in order", () => {
    const { xml } = render();
    expect(XMLValidator.validate(xml)).toBe(true);
    const top = [...xml.matchAll(/^ {2}<([A-Z_]+)[ >]/gm)].map((m) => m[1]);
    expect(top).toEqual(["HEADER", "FILTERS", "TARGET", "SUMMARY", "RESULTS", "GLOSSARY", "APPENDIX"]);
  });

  it("fills HEADER from the report and its owner", () => {
    const { doc } = render();
    expect(textAt(doc, `${R}.HEADER.NAME`)).toBe("Weekly <report>");
    expect(textAt(doc, `${R}.HEADER.DESCRIPTION`)).toMatch(/selected scans/);
    expect(textAt(doc, `${R}.HEADER.GENERATION_DATETIME`)).toBe("13 Mar 2026 08:00AM GMT+0000");
    expect(textAt(doc, `${R}.HEADER.USER_INFO.NAME`)).toBe("Sim User");
    expect(textAt(doc, `${R}.HEADER.USER_INFO.USERNAME`)).toBe("sim_user");
    expect(textAt(doc, `${R}.HEADER.COMPANY_INFO.NAME`)).toMatch(/simulator/i);
  });

  it("counts the results in SUMMARY", () => {
    const { doc } = render();
    expect(textAt(doc, `${R}.SUMMARY.GLOBAL_SUMMARY.SECURITY_RISK`)).toBe("High");
    expect(textAt(doc, `${R}.SUMMARY.GLOBAL_SUMMARY.VULNERABILITY`)).toBe("2");
    expect(textAt(doc, `${R}.SUMMARY.GLOBAL_SUMMARY.SENSITIVE_CONTENT`)).toBe("1");
    expect(textAt(doc, `${R}.SUMMARY.GLOBAL_SUMMARY.INFORMATION_GATHERED`)).toBe("2");
    const stat = `${R}.SUMMARY.SUMMARY_STATS.SUMMARY_STAT.0`;
    expect(textAt(doc, `${stat}.SCAN`)).toBe("Shop weekly <scan> & more");
    expect(textAt(doc, `${stat}.DATE`)).toBe("12 Mar 2026");
    expect([5, 4, 3, 2, 1].map((l) => textAt(doc, `${stat}.LEVEL${l}`))).toEqual(["0", "1", "1", "0", "0"]);
  });

  it("writes a vulnerability with its location, dates and payloads, hostile strings intact", () => {
    const { doc } = render();
    const v = `${R}.RESULTS.VULNERABILITY_LIST.VULNERABILITY.0`;
    expect(textAt(doc, `${v}.UNIQUE_ID`)).toBe("00000000-0000-4000-8000-000005000001");
    expect(textAt(doc, `${v}.ID`)).toBe("5000001");
    expect(textAt(doc, `${v}.DETECTION_ID`)).toMatch(/^\d+$/);
    expect(textAt(doc, `${v}.QID`)).toBe("150001");
    expect(textAt(doc, `${v}.URL`)).toBe(HOSTILE_URL);
    expect(textAt(doc, `${v}.PARAM`)).toBe(HOSTILE_PARAM);
    expect(textAt(doc, `${v}.FORM_ENTRY_POINT`)).toBe(`<form action="/search?a=1&b=2">`);
    expect(listAt(doc, `${v}.ACCESS_PATH.URL`)).toEqual([
      "https://shop.example.com/",
      "https://shop.example.com/search",
    ]);
    expect(textAt(doc, `${v}.AJAX`)).toBe("false");
    expect(textAt(doc, `${v}.AUTHENTICATION`)).toBe("Required");
    expect(textAt(doc, `${v}.DETECTION_DATE`)).toBe("12 Mar 2026 04:42PM GMT+0000");
    expect(textAt(doc, `${v}.POTENTIAL`)).toBe("false");
    expect(textAt(doc, `${v}.IGNORED`)).toBe("false");

    const p = `${v}.PAYLOADS.PAYLOAD.0`;
    expect(textAt(doc, `${p}.NUM`)).toBe("1");
    expect(textAt(doc, `${p}.PAYLOAD`)).toBe(HOSTILE_PAYLOAD);
    expect(textAt(doc, `${p}.REQUEST.METHOD`)).toBe("POST");
    expect(textAt(doc, `${p}.REQUEST.URL`)).toBe(HOSTILE_URL);
    expect(textAt(doc, `${p}.REQUEST.BODY`)).toBe("q=%3Cscript%3E&x=1");
    const headers = listAt(doc, `${p}.REQUEST.HEADERS.HEADER`).map((h) => [
      textAt(h, "key"),
      textAt(h, "value"),
    ]);
    // Values keep the leading space and line end after the colon, as real reports do (readers must trim).
    expect(headers).toEqual([
      ["Host", " shop.example.com\n"],
      ["User-Agent", " Mozilla/5.0 <sim>\n"],
      ["Cookie", " a=1; b=2\n"],
    ]);
    expect(at(doc, `${p}.RESPONSE.CONTENTS.@base64`)).toBe("true");
    expect(fromBase64(textAt(doc, `${p}.RESPONSE.CONTENTS`))).toBe(
      "<html><script>alert('x')</script></html>",
    );
  });

  it("never lets data become markup: the only elements are the report's own", () => {
    const { xml, doc } = render();
    const names = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) for (const n of node) walk(n);
      else if (node && typeof node === "object") {
        for (const [key, value] of Object.entries(node)) {
          if (!key.startsWith("@") && key !== "#text") names.add(key);
          walk(value);
        }
      }
    };
    walk(doc);
    for (const injected of ["script", "form", "x", "b", "sim"]) expect(names.has(injected)).toBe(false);
    // The CDATA terminator inside the payload is split the standard way.
    expect(xml).toContain("<![CDATA[]]]]><![CDATA[>");
  });

  it("marks potential and ignored vulnerabilities and gives payload-less ones one N/A payload", () => {
    const { doc } = render();
    const v = `${R}.RESULTS.VULNERABILITY_LIST.VULNERABILITY.1`;
    expect(textAt(doc, `${v}.QID`)).toBe("150085");
    expect(textAt(doc, `${v}.POTENTIAL`)).toBe("true");
    expect(textAt(doc, `${v}.IGNORED`)).toBe("true");
    expect(at(doc, `${v}.PARAM`)).toBeUndefined();
    expect(textAt(doc, `${v}.PAYLOADS.PAYLOAD.0.PAYLOAD`)).toBe("N/A");
    expect(textAt(doc, `${v}.PAYLOADS.PAYLOAD.0.REQUEST.HEADERS.HEADER.0.key`)).toBe("Host");
  });

  it("lists sensitive content and information gathered with base64 DATA", () => {
    const { doc } = render();
    const sc = `${R}.RESULTS.SENSITIVE_CONTENT_LIST.SENSITIVE_CONTENT.0`;
    expect(textAt(doc, `${sc}.QID`)).toBe("150500");
    expect(textAt(doc, `${sc}.CONTENT`)).toBe("4111-1111-1111-1111");
    const igs = listAt(doc, `${R}.RESULTS.INFORMATION_GATHERED_LIST.INFORMATION_GATHERED`);
    expect(igs.map((ig) => textAt(ig, "QID"))).toEqual(["150204", "6"]);
    expect(textAt(igs[1], "LAST_TIME_DETECTED")).toBe("12 Mar 2026 04:42PM GMT+0000");
    expect(at(igs[1], "DATA.@base64")).toBe("true");
    expect(fromBase64(textAt(igs[1], "DATA"))).toContain("No_registered_hostname");
  });

  it("has one glossary QID per QID, ascending, with KB text, references and CVSS", () => {
    const { doc } = render();
    const qids = listAt(doc, `${R}.GLOSSARY.QID_LIST.QID`);
    expect(qids.map((q) => textAt(q, "QID"))).toEqual(["6", "150001", "150085", "150204", "150500"]);
    const xss = qids[1];
    expect(textAt(xss, "CATEGORY")).toBe("Confirmed Vulnerability");
    expect(textAt(xss, "SEVERITY")).toBe("4");
    expect(textAt(xss, "GROUP")).toBe("XSS");
    expect(textAt(xss, "OWASP")).toBe("A7");
    expect(textAt(xss, "WASC")).toBe("WASC-8");
    expect(textAt(xss, "CWE")).toBe("CWE-79");
    expect(textAt(xss, "CVSS_BASE")).toBe("4.3");
    expect(textAt(xss, "CVSS_TEMPORAL")).toBe("3.9");
    expect(textAt(xss, "DESCRIPTION")).toBe("Input is echoed <b>unescaped</b>.\nSee details.");
    expect(textAt(qids[2], "CATEGORY")).toBe("Potential Vulnerability");
    expect(textAt(qids[3], "GROUP")).toBe("IG-WEAK");
    expect(textAt(qids[0], "GROUP")).toBe("IG-DIAG");
    expect(textAt(qids[0], "DESCRIPTION")).toBe("N/A");
    expect(textAt(qids[4], "CATEGORY")).toBe("Sensitive Content");
    expect(listAt(doc, `${R}.GLOSSARY.WASC_LIST.WASC`)).toHaveLength(49);
    expect(listAt(doc, `${R}.GLOSSARY.OWASP_LIST.OWASP`)).toHaveLength(10);
  });

  it("describes the scan, option profile and web app in the APPENDIX", () => {
    const { doc } = render();
    const scan = `${R}.APPENDIX.SCAN_LIST.SCAN.0`;
    expect(textAt(doc, `${scan}.NAME`)).toBe("Shop weekly <scan> & more");
    expect(textAt(doc, `${scan}.REFERENCE`)).toBe("was/1773333720000.2000001");
    expect(textAt(doc, `${scan}.START_DATE`)).toBe("12 Mar 2026 04:42PM GMT+0000");
    expect(textAt(doc, `${scan}.END_DATE`)).toBe("12 Mar 2026 04:54PM GMT+0000");
    expect(textAt(doc, `${scan}.MODE`)).toBe("Vulnerability");
    expect(textAt(doc, `${scan}.WEB_APPLICATION`)).toBe("Shop & <Main>");
    expect(textAt(doc, `${scan}.AUTHENTICATION_RECORD`)).toBe("Shop login");
    expect(textAt(doc, `${scan}.PROFILE`)).toBe("Initial WAS Options");
    expect(textAt(doc, `${scan}.STATUS`)).toBe("Finished");
    expect(textAt(doc, `${scan}.AUTHENTICATION_STATUS`)).toBe("Successful");
    expect(at(doc, `${R}.APPENDIX.OPTION_PROFILE_DETAILS.USER_AGENT.@xsi:nil`)).toBe("true");
    const webApp = `${R}.APPENDIX.WEBAPP.0`;
    expect(textAt(doc, `${webApp}.ID`)).toBe("1000001");
    expect(textAt(doc, `${webApp}.URL`)).toBe("https://shop.example.com/");
    expect(textAt(doc, `${webApp}.OWNER`)).toBe("Sim User (sim_user)");
    expect(textAt(doc, `${webApp}.OPERATING_SYSTEM`)).toBe("Linux 5.x");
    const categories = listAt(doc, `${R}.APPENDIX.SEVERITY_CATEGORY_LIST.SEVERITY_CATEGORY`);
    expect(categories.map((c) => textAt(c, "NAME"))).toEqual([
      "Confirmed Vulnerability",
      "Potential Vulnerability",
      "Sensitive Content",
      "Information Gathered",
    ]);
    expect(listAt(categories[2], "SEVERITY_LEVEL_LIST.SEVERITY_LEVEL")).toHaveLength(3);
  });

  it("keeps an empty VULNERABILITY_LIST and no SENSITIVE_CONTENT_LIST for a clean scan", () => {
    const { xml, doc } = render([2_000_001], (world) => {
      const scan = world.wasScans.get(2_000_001);
      if (scan) scan.results = (scan.results ?? []).filter((r) => r.type === "INFORMATION_GATHERED");
    });
    expect(xml).toContain("<VULNERABILITY_LIST/>");
    expect(xml).not.toContain("SENSITIVE_CONTENT_LIST");
    expect(textAt(doc, `${R}.SUMMARY.GLOBAL_SUMMARY.SECURITY_RISK`)).toBe("Low");
    expect(listAt(doc, `${R}.GLOSSARY.QID_LIST.QID`).map((q) => textAt(q, "QID"))).toEqual(["6", "150204"]);
  });

  it("consolidates several scans: one TARGET/SCAN, SUMMARY_STAT and appendix SCAN each, one WEBAPP", () => {
    const { doc } = render([2_000_001, 2_000_003], (world) => {
      const first = world.wasScans.get(2_000_001);
      if (!first) return;
      world.wasScans.set(2_000_003, {
        ...first,
        id: 2_000_003,
        name: "Second",
        launchedDate: "2026-03-19T16:42:00Z",
        results: (first.results ?? []).slice(0, 1),
      });
    });
    expect(listAt(doc, `${R}.TARGET.SCAN`)).toEqual(["Shop weekly <scan> & more", "Second"]);
    expect(listAt(doc, `${R}.SUMMARY.SUMMARY_STATS.SUMMARY_STAT`)).toHaveLength(2);
    expect(listAt(doc, `${R}.APPENDIX.SCAN_LIST.SCAN`)).toHaveLength(2);
    expect(listAt(doc, `${R}.APPENDIX.WEBAPP`)).toHaveLength(1);
    const vulns = listAt(doc, `${R}.RESULTS.VULNERABILITY_LIST.VULNERABILITY`);
    expect(vulns).toHaveLength(3);
    expect(textAt(vulns[2], "DETECTION_DATE")).toBe("19 Mar 2026 04:42PM GMT+0000");
  });
});
