/**
 * The reader on real Qualys WAS report files (DefectDojo's and Dradis' samples, read in place from the corpus
 * folder): the findings each gives, their severities, labels and web apps.
 */

import path from "node:path";
import type { ReportItem } from "@qualys-connector/model";
import { describe, expect, it } from "vitest";
import { corpusDir, HAS_CORPUS } from "../../../test/corpus.js";
import { ReportFormatError } from "../src/index.js";
import { findings, readAll } from "./report-fixtures.js";

/** Every item read from a corpus file. */
const readCorpus = (relative: string): Promise<ReportItem[]> =>
  readAll({ path: path.join(corpusDir() ?? "", relative) });

function endOf(items: ReportItem[]) {
  const end = items.at(-1);
  if (end?.type !== "end") throw new Error("no end item last");
  expect(items.filter((i) => i.type === "end")).toHaveLength(1);
  return end;
}

describe.skipIf(!HAS_CORPUS)("readReport on real WAS report files", () => {
  it("qualys_webapp_one_vuln.xml: 1 confirmed vulnerability (QID 150085, severity 3, High) and 13 information gathered", async () => {
    const items = await readCorpus("defectdojo/qualys_webapp_one_vuln.xml");
    const all = findings(items);
    expect(all).toHaveLength(14);
    const vulns = all.filter((f) => f.type === "VULNERABILITY");
    expect(vulns).toHaveLength(1);
    expect(vulns[0]).toMatchObject({
      qid: 150085,
      severity: 3,
      severityLabel: "High",
      potential: false,
      uid: "20f4ba90-7bb0-11ea-ac65-5fc1d89b8cc7",
      id: 101588229,
      webAppId: 57568730,
      name: "Slow HTTP POST vulnerability",
      url: "https://services.example.com/",
      lastDetectedDate: "2020-03-12T20:42:00.000Z",
      authenticated: false,
      isIgnored: false,
      cwe: ["CWE-772"],
      owasp: ["A6:2017"],
      wasc: ["WASC-10"],
    });
    expect(
      vulns[0]?.evidence.request?.startsWith(
        "POST https://services.example.com/\nHost: services.example.com\n",
      ),
    ).toBe(true);
    expect(vulns[0]?.evidence.response).toContain("Vulnerable to slow HTTP POST attack");
    expect(all.filter((f) => f.type === "INFORMATION_GATHERED")).toHaveLength(13);
    const end = endOf(items);
    expect(end.counts).toEqual({
      applications: 1,
      definitions: 15,
      findings: { VULNERABILITY: 1, SENSITIVE_CONTENT: 0, INFORMATION_GATHERED: 13 },
    });
    expect(end.provenance).toMatchObject({
      kind: "WAS_SCAN_REPORT",
      fileName: "qualys_webapp_one_vuln.xml",
      bytes: 68328,
      title: "Scan Report",
      generatedAt: "2020-04-01T17:15:00.000Z",
      scanIds: ["was/1584045746255.2267109"],
      webAppIds: [57568730],
    });
    expect(end.provenance.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("qualys_webapp_no_vuln.xml: 17 information-gathered findings on web app 57405567", async () => {
    const items = await readCorpus("defectdojo/qualys_webapp_no_vuln.xml");
    const all = findings(items);
    expect(all).toHaveLength(17);
    expect(all.every((f) => f.type === "INFORMATION_GATHERED" && f.webAppId === 57405567)).toBe(true);
    expect(all.every((f) => f.severityLabel === "Low")).toBe(true);
    expect(items.filter((i) => i.type === "application")).toEqual([
      {
        type: "application",
        record: expect.objectContaining({
          id: 57405567,
          name: "Web Server 1",
          url: "https://exweb.example.com/",
        }),
      },
    ]);
    expect(endOf(items).provenance.webAppIds).toEqual([57405567]);
  });

  it("dradis simple_was.xml (older layout): 1 finding, QID 6 severity 1, on http://example.com", async () => {
    const items = await readCorpus("dradis/simple_was.xml");
    const all = findings(items);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      qid: 6,
      severity: 1,
      severityLabel: "Low",
      url: "http://example.com",
      webAppId: 1,
    });
    expect(items.find((i) => i.type === "definition")).toMatchObject({
      record: { qid: 6, title: "DNS Host Name", cvssV2Base: 4.3, cvssV3Base: 6.1, severityScore: 6.1 },
    });
  });

  it("refuses the corpus files that are not WAS reports, naming their root", async () => {
    for (const [file, root] of [
      ["defectdojo/empty.xml", "ASSET_DATA_REPORT"],
      ["defectdojo/qualys_infrascan_webgui_3.xml", undefined],
    ] as const) {
      const error = await readCorpus(file).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ReportFormatError);
      if (root) expect((error as Error).message).toContain(`<${root}>`);
    }
  });
});
