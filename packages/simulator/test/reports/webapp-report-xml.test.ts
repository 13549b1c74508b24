import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import type { SimWebApp } from "../../src/model.js";
import { resolveOptions } from "../../src/options.js";
import { renderWebAppReportXml } from "../../src/reports/webapp-report-xml.js";
import { createUsers } from "../../src/users.js";
import { buildWorld, HOSTILE_PARAM, OWNER } from "./fixture.js";
import { at, fromBase64, listAt, parseXml, textAt } from "./xml.js";

function render(webAppIds: number[]) {
  const world = buildWorld(createUsers(resolveOptions()));
  const webApps = webAppIds.map((id) => world.webApps.get(id)).filter((w): w is SimWebApp => w !== undefined);
  const xml = renderWebAppReportXml(world, {
    name: "Apps",
    description: "All apps",
    generatedAt: Date.parse("2026-03-13T08:00:00Z"),
    user: OWNER,
    webApps,
  });
  return { xml, doc: parseXml(xml) };
}

const R = "WAS_WEBAPP_REPORT";

describe("WAS_WEBAPP_REPORT rendering (docs/qualys-api.md 6.2)", () => {
  it("is well-formed, with the scan report's sections and one RESULTS/WEB_APPLICATION per web app", () => {
    const { xml, doc } = render([1_000_001, 1_000_002]);
    expect(XMLValidator.validate(xml)).toBe(true);
    const top = [...xml.matchAll(/^ {2}<([A-Z_]+)[ >]/gm)].map((m) => m[1]);
    expect(top).toEqual(["HEADER", "FILTERS", "TARGET", "SUMMARY", "RESULTS", "GLOSSARY", "APPENDIX"]);
    const apps = listAt(doc, `${R}.RESULTS.WEB_APPLICATION`);
    expect(apps.map((a) => [textAt(a, "ID"), textAt(a, "NAME"), textAt(a, "URL")])).toEqual([
      ["1000001", "Shop & <Main>", "https://shop.example.com/"],
      ["1000002", "Blog", "https://blog.example.com/"],
    ]);
    expect(listAt(doc, `${R}.APPENDIX.WEBAPP`).map((w) => textAt(w, "ID"))).toEqual(["1000001", "1000002"]);
    expect(textAt(doc, `${R}.HEADER.DESCRIPTION`)).toBe("All apps");
  });

  it("reads the web app's current findings, with history, status and ignore state", () => {
    const { doc } = render([1_000_001]);
    const vulns = listAt(doc, `${R}.RESULTS.WEB_APPLICATION.0.VULNERABILITY_LIST.VULNERABILITY`);
    expect(vulns.map((v) => textAt(v, "ID"))).toEqual(["5000001", "5000002"]);
    const xss = vulns[0];
    expect(textAt(xss, "PARAM")).toBe(HOSTILE_PARAM);
    expect(textAt(xss, "FIRST_TIME_DETECTED")).toBe("01 Feb 2026 10:00AM GMT+0000");
    expect(textAt(xss, "LAST_TIME_DETECTED")).toBe("12 Mar 2026 04:42PM GMT+0000");
    expect(textAt(xss, "LAST_TIME_TESTED")).toBe("12 Mar 2026 04:42PM GMT+0000");
    expect(textAt(xss, "TIMES_DETECTED")).toBe("3");
    expect(textAt(xss, "STATUS")).toBe("New");
    expect(textAt(xss, "AUTHENTICATION")).toBe("Required");
    expect(fromBase64(textAt(xss, "PAYLOADS.PAYLOAD.0.RESPONSE.CONTENTS"))).toContain("<script>");
    expect(at(xss, "DETECTION_DATE")).toBeUndefined();
    expect(textAt(vulns[1], "STATUS")).toBe("Active");
    expect(textAt(vulns[1], "IGNORED")).toBe("true");
    expect(textAt(vulns[1], "POTENTIAL")).toBe("true");
  });

  it("prints fixed findings with STATUS Fixed, which DefectDojo reads as inactive", () => {
    const { doc } = render([1_000_002]);
    const vulns = listAt(doc, `${R}.RESULTS.WEB_APPLICATION.0.VULNERABILITY_LIST.VULNERABILITY`);
    expect(vulns).toHaveLength(1);
    expect(textAt(vulns[0], "STATUS").toLowerCase()).toContain("fixed");
  });

  it("puts sensitive content and information gathered under the web app", () => {
    const { doc } = render([1_000_001]);
    const app = `${R}.RESULTS.WEB_APPLICATION.0`;
    expect(
      listAt(doc, `${app}.SENSITIVE_CONTENT_LIST.SENSITIVE_CONTENT`).map((s) => textAt(s, "QID")),
    ).toEqual(["150500"]);
    const igs = listAt(doc, `${app}.INFORMATION_GATHERED_LIST.INFORMATION_GATHERED`);
    expect(igs.map((ig) => textAt(ig, "QID"))).toEqual(["150204", "6"]);
    expect(fromBase64(textAt(igs[0], "DATA"))).toBe("X-XSS-Protection: Header missing");
    expect(textAt(igs[1], "DATA")).toBe("");
  });

  it("counts per web app in SUMMARY and builds the glossary from every web app's QIDs", () => {
    const { doc } = render([1_000_001, 1_000_002]);
    expect(textAt(doc, `${R}.SUMMARY.GLOBAL_SUMMARY.VULNERABILITY`)).toBe("3");
    const stats = listAt(doc, `${R}.SUMMARY.SUMMARY_STATS.SUMMARY_STAT`);
    expect(stats.map((s) => [textAt(s, "WEB_APPLICATION"), textAt(s, "LEVEL4")])).toEqual([
      ["Shop & <Main>", "1"],
      ["Blog", "1"],
    ]);
    expect(listAt(doc, `${R}.GLOSSARY.QID_LIST.QID`).map((q) => textAt(q, "QID"))).toEqual([
      "6",
      "150001",
      "150085",
      "150204",
      "150500",
    ]);
  });
});
