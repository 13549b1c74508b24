import { crc32 } from "node:zlib";
import { beforeEach, describe, expect, it } from "vitest";
import type { ApiResponse } from "../../src/http/types.js";
import { bodyBytes, bodyText, type Harness, harness, REPORT_MS, scanReportBody, T0 } from "./fixture.js";
import { at, listAt, parseXml, textAt } from "./xml.js";

const API = "/qps/rest/3.0";
const XML = "text/xml";

function sr(response: ApiResponse): unknown {
  expect(response.status).toBe(200);
  return at(parseXml(bodyText(response)), "ServiceResponse");
}

function json(response: ApiResponse): { ServiceResponse: Record<string, unknown> } {
  expect(response.contentType).toBe("application/json");
  return JSON.parse(bodyText(response));
}

async function create(h: Harness, body: string, contentType = XML): Promise<unknown> {
  return sr(await h.call("POST", `${API}/create/was/report`, { body, contentType }));
}

async function createdId(h: Harness, body: string): Promise<number> {
  const res = await create(h, body);
  expect(textAt(res, "responseCode")).toBe("SUCCESS");
  return Number(textAt(res, "data.Report.0.id"));
}

async function statusOf(h: Harness, id: number): Promise<string> {
  return textAt(sr(await h.call("GET", `${API}/status/was/report/${id}`)), "data.Report.0.status");
}

function webAppReportBody(target: string, format = "XML"): string {
  return `<ServiceRequest><data><Report><name>Apps</name><format>${format}</format><type>WAS_WEBAPP_REPORT</type><config><webAppReport><target>${target}</target></webAppReport></config></Report></data></ServiceRequest>`;
}

describe("WAS report endpoints (docs/qualys-api.md 3.10)", () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });

  describe("create, status, download", () => {
    it("creates a RUNNING report that completes after reportDurationMs", async () => {
      const id = await createdId(h, scanReportBody([2_000_001]));
      expect(id).toBe(3_000_001);
      expect(await statusOf(h, id)).toBe("RUNNING");
      h.clock.now = T0 + REPORT_MS - 1;
      expect(await statusOf(h, id)).toBe("RUNNING");
      h.clock.now = T0 + REPORT_MS;
      expect(await statusOf(h, id)).toBe("COMPLETE");
    });

    it("downloads the raw XML with content type and the file name in Content-Disposition", async () => {
      const id = await createdId(h, scanReportBody([2_000_001], "XML", "Nightly: shop/<prod>"));
      h.clock.now += REPORT_MS;
      const res = await h.call("GET", `${API}/download/was/report/${id}`);
      expect(res.status).toBe(200);
      expect(res.contentType).toBe("application/xml");
      expect(res.headers?.["Content-Disposition"]).toBe('attachment; filename="Nightly_ shop__prod_.xml"');
      const doc = parseXml(bodyText(res));
      expect(textAt(doc, "WAS_SCAN_REPORT.HEADER.NAME")).toBe("Nightly: shop/<prod>");
      expect(listAt(doc, "WAS_SCAN_REPORT.RESULTS.VULNERABILITY_LIST.VULNERABILITY")).toHaveLength(2);
    });

    it("renders from the world as it is when the report completes", async () => {
      const id = await createdId(h, scanReportBody([2_000_001]));
      const webApp = h.world.webApps.get(1_000_001);
      if (webApp) webApp.name = "Renamed before completion";
      h.clock.now += REPORT_MS;
      const doc = parseXml(bodyText(await h.call("GET", `${API}/download/was/report/${id}`)));
      expect(textAt(doc, "WAS_SCAN_REPORT.APPENDIX.WEBAPP.0.NAME")).toBe("Renamed before completion");
    });

    it("refuses to download a report that is still running", async () => {
      const id = await createdId(h, scanReportBody([2_000_001]));
      const res = sr(await h.call("GET", `${API}/download/was/report/${id}`));
      expect(textAt(res, "responseCode")).toBe("INVALID_REQUEST");
      expect(textAt(res, "responseErrorDetails.errorMessage")).toContain("RUNNING");
    });

    it("ends in ERROR when the scan disappears before completion", async () => {
      const id = await createdId(h, scanReportBody([2_000_001]));
      h.world.wasScans.delete(2_000_001);
      h.clock.now += REPORT_MS;
      expect(await statusOf(h, id)).toBe("ERROR");
      const res = sr(await h.call("GET", `${API}/download/was/report/${id}`));
      expect(textAt(res, "responseErrorDetails.errorMessage")).toContain("ERROR");
    });

    it("answers NOT_FOUND for an unknown report and INVALID_REQUEST for a malformed id", async () => {
      const missing = sr(await h.call("GET", `${API}/status/was/report/3999999`));
      expect(textAt(missing, "responseCode")).toBe("NOT_FOUND");
      const bad = sr(await h.call("GET", `${API}/get/was/report/abc`));
      expect(textAt(bad, "responseCode")).toBe("INVALID_REQUEST");
    });
  });

  describe("create validation", () => {
    const cases: [string, string, string][] = [
      [
        "an unsupported type, listing the supported ones",
        scanReportBody([2_000_001]).replace("WAS_SCAN_REPORT", "WAS_SCORECARD_REPORT"),
        "WAS_SCAN_REPORT, WAS_WEBAPP_REPORT",
      ],
      [
        "a format the simulator does not render",
        scanReportBody([2_000_001], "WORD"),
        "not supported by the simulator",
      ],
      ["an unknown format", scanReportBody([2_000_001], "DOCX"), "Values expected"],
      ["an unknown scan", scanReportBody([2_999_999]), "does not exist"],
      ["a scan that is not finished", scanReportBody([2_000_002]), "not finished"],
      ["no scan at all", scanReportBody([]), "at least one scan"],
      ["a missing name", scanReportBody([2_000_001], "XML", ""), "name is required"],
      [
        "a config that does not match the type",
        webAppReportBody("<webapps><WebApp><id>1000001</id></WebApp></webapps>").replace(
          "WAS_WEBAPP_REPORT",
          "WAS_SCAN_REPORT",
        ),
        "config.scanReport is required",
      ],
      [
        "an unknown web app",
        webAppReportBody("<webapps><WebApp><id>1999999</id></WebApp></webapps>"),
        "does not exist",
      ],
      [
        "a web app target matching nothing",
        webAppReportBody(
          "<tags><included><option>ANY</option><tagList><Tag><id>5</id></Tag></tagList></included></tags>",
        ),
        "No web application",
      ],
      ["a malformed body", "<ServiceRequest><data>", "not well-formed"],
      [
        "a non-numeric scan id",
        scanReportBody([2_000_001]).replace("<id>2000001</id>", "<id>abc</id>"),
        "WasScan id",
      ],
    ];
    for (const [what, body, message] of cases) {
      it(`refuses ${what}`, async () => {
        const res = await create(h, body);
        expect(textAt(res, "responseCode")).toBe("INVALID_REQUEST");
        const details = `${textAt(res, "responseErrorDetails.errorMessage")} ${String(at(res, "responseErrorDetails.errorResolution") ?? "")}`;
        expect(details).toContain(message);
        expect(h.world.reports.size).toBe(0);
      });
    }
  });

  describe("JSON", () => {
    it("accepts the GitHub Action's JSON body (string id) and answers in JSON", async () => {
      const body = JSON.stringify({
        ServiceRequest: {
          data: {
            Report: {
              name: "ScanReport_2000001",
              description: "Report",
              format: "PDF",
              type: "WAS_SCAN_REPORT",
              config: { scanReport: { target: { scans: { WasScan: { id: "2000001" } } } } },
            },
          },
        },
      });
      const res = json(
        await h.call("POST", `${API}/create/was/report`, {
          body,
          contentType: "application/json",
          accept: "application/json",
        }),
      );
      expect(res.ServiceResponse.responseCode).toBe("SUCCESS");
      const data = res.ServiceResponse.data as { Report: { id: number } }[];
      const id = data[0]?.Report.id;
      expect(id).toBe(3_000_001);
      h.clock.now += REPORT_MS;
      const status = json(
        await h.call("GET", `${API}/status/was/report/${id}`, { accept: "application/json" }),
      );
      expect(status.ServiceResponse.data).toEqual([{ Report: { status: "COMPLETE" } }]);
    });

    it("accepts several scans as a JSON array", async () => {
      const second = h.world.wasScans.get(2_000_001);
      if (second) h.world.wasScans.set(2_000_003, { ...second, id: 2_000_003, name: "Second" });
      const body = JSON.stringify({
        ServiceRequest: {
          data: {
            Report: {
              name: "Two",
              format: "XML",
              type: "WAS_SCAN_REPORT",
              config: { scanReport: { target: { scans: { WasScan: [{ id: 2000001 }, { id: 2000003 }] } } } },
            },
          },
        },
      });
      const res = json(
        await h.call("POST", `${API}/create/was/report`, {
          body,
          contentType: "application/json",
          accept: "application/json",
        }),
      );
      expect(res.ServiceResponse.responseCode).toBe("SUCCESS");
      expect(h.world.reports.get(3_000_001)?.targetIds).toEqual([2_000_001, 2_000_003]);
    });
  });

  describe("placeholder formats", () => {
    async function download(format: string): Promise<ApiResponse> {
      const id = await createdId(h, scanReportBody([2_000_001], format, "Shop"));
      h.clock.now += REPORT_MS;
      return h.call("GET", `${API}/download/was/report/${id}`);
    }

    it("PDF is a valid one-page PDF labelled as simulated", async () => {
      const res = await download("PDF");
      expect(res.contentType).toBe("application/pdf");
      expect(res.headers?.["Content-Disposition"]).toBe('attachment; filename="Shop.pdf"');
      const pdf = bodyBytes(res).toString("latin1");
      expect(pdf.startsWith("%PDF-1.4")).toBe(true);
      expect(pdf).toContain("Qualys API simulator report");
      expect(pdf.trimEnd().endsWith("%%EOF")).toBe(true);
      // Every xref offset points at the object it names.
      const xref = /xref\n0 (\d+)\n([\s\S]*?)trailer/.exec(pdf);
      const offsets = (xref?.[2] ?? "")
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => Number(l.slice(0, 10)));
      expect(offsets).toHaveLength(5);
      for (const [i, offset] of offsets.entries())
        expect(pdf.slice(offset).startsWith(`${i + 1} 0 obj`)).toBe(true);
      const startxref = Number(/startxref\n(\d+)/.exec(pdf)?.[1]);
      expect(pdf.slice(startxref).startsWith("xref")).toBe(true);
    });

    it("CSV says it is simulated", async () => {
      const res = await download("CSV");
      expect(res.contentType).toMatch(/^text\/csv/);
      expect(bodyText(res).split("\r\n")[0]).toContain("Qualys API simulator report");
      expect(bodyText(res)).toContain("Vulnerabilities: 2");
    });

    it("HTML_ZIPPED is a zip holding one HTML page", async () => {
      const res = await download("HTML_ZIPPED");
      expect(res.contentType).toBe("application/zip");
      const zip = bodyBytes(res);
      expect(zip.readUInt32LE(0)).toBe(0x04034b50);
      const nameLength = zip.readUInt16LE(26);
      expect(zip.subarray(30, 30 + nameLength).toString()).toBe("Shop.html");
      const size = zip.readUInt32LE(18);
      const html = zip.subarray(30 + nameLength, 30 + nameLength + size).toString("utf8");
      expect(html).toContain("Qualys API simulator report");
      expect(zip.readUInt32LE(14)).toBe(crc32(zip.subarray(30 + nameLength, 30 + nameLength + size)) >>> 0);
      const end = zip.length - 22;
      expect(zip.readUInt32LE(end)).toBe(0x06054b50);
      const central = zip.readUInt32LE(end + 16);
      expect(zip.readUInt32LE(central)).toBe(0x02014b50);
      expect(zip.readUInt32LE(central + 16)).toBe(zip.readUInt32LE(14));
    });
  });

  describe("web app reports", () => {
    it("reports listed web apps", async () => {
      const id = await createdId(
        h,
        webAppReportBody(
          "<webapps><WebApp><id>1000002</id></WebApp><WebApp><id>1000001</id></WebApp></webapps>",
        ),
      );
      h.clock.now += REPORT_MS;
      const doc = parseXml(bodyText(await h.call("GET", `${API}/download/was/report/${id}`)));
      expect(listAt(doc, "WAS_WEBAPP_REPORT.RESULTS.WEB_APPLICATION").map((w) => textAt(w, "ID"))).toEqual([
        "1000002",
        "1000001",
      ]);
    });

    it("resolves a tag target (included ANY, excluded)", async () => {
      const id = await createdId(
        h,
        webAppReportBody(
          "<tags><included><option>ANY</option><tagList><Tag><id>77</id></Tag></tagList></included></tags>",
        ),
      );
      expect(h.world.reports.get(id)?.targetIds).toEqual([1_000_001]);
      const excluded = await create(
        h,
        webAppReportBody(
          "<tags><included><option>ANY</option><tagList><Tag><id>77</id></Tag></tagList></included><excluded><option>ANY</option><tagList><Tag><id>77</id></Tag></tagList></excluded></tags>",
        ),
      );
      expect(textAt(excluded, "responseCode")).toBe("INVALID_REQUEST");
    });
  });

  describe("get, search, count, delete", () => {
    beforeEach(async () => {
      await createdId(h, scanReportBody([2_000_001], "XML", "Alpha"));
      h.clock.now += 5_000;
      await createdId(h, scanReportBody([2_000_001], "PDF", "Beta"));
      h.clock.now += REPORT_MS;
      await createdId(h, webAppReportBody("<webapps><WebApp><id>1000001</id></WebApp></webapps>"));
    });

    it("gets a report record with owner, status and size once complete", async () => {
      const res = sr(await h.call("GET", `${API}/get/was/report/3000001`));
      const r = "data.Report.0";
      expect(textAt(res, `${r}.id`)).toBe("3000001");
      expect(textAt(res, `${r}.name`)).toBe("Alpha");
      expect(textAt(res, `${r}.description`)).toBe("A simple scan report");
      expect(textAt(res, `${r}.type`)).toBe("WAS_SCAN_REPORT");
      expect(textAt(res, `${r}.format`)).toBe("XML");
      expect(textAt(res, `${r}.status`)).toBe("COMPLETE");
      expect(Number(textAt(res, `${r}.size`))).toBe(h.world.reports.get(3_000_001)?.content?.length);
      expect(textAt(res, `${r}.creationDate`)).toBe("2026-03-12T16:42:00Z");
      expect(textAt(res, `${r}.owner.username`)).toBe("sim_user");
      expect(textAt(res, `${r}.tags.count`)).toBe("0");
      const running = sr(await h.call("GET", `${API}/get/was/report/3000003`));
      expect(textAt(running, "data.Report.0.status")).toBe("RUNNING");
      expect(at(running, "data.Report.0.size")).toBeUndefined();
    });

    it("searches with filters", async () => {
      const search = async (criteria: string) =>
        sr(
          await h.call("POST", `${API}/search/was/report`, {
            body: `<ServiceRequest><filters>${criteria}</filters></ServiceRequest>`,
            contentType: XML,
          }),
        );
      const ids = (res: unknown) => listAt(res, "data.Report").map((r) => textAt(r, "id"));
      expect(ids(await search('<Criteria field="status" operator="EQUALS">COMPLETE</Criteria>'))).toEqual([
        "3000001",
        "3000002",
      ]);
      expect(ids(await search('<Criteria field="format" operator="IN">PDF,CSV</Criteria>'))).toEqual([
        "3000002",
      ]);
      expect(
        ids(await search('<Criteria field="type" operator="EQUALS">WAS_WEBAPP_REPORT</Criteria>')),
      ).toEqual(["3000003"]);
      expect(ids(await search('<Criteria field="name" operator="CONTAINS">alp</Criteria>'))).toEqual([
        "3000001",
      ]);
      expect(
        ids(
          await search('<Criteria field="creationDate" operator="GREATER">2026-03-12T16:42:00Z</Criteria>'),
        ),
      ).toEqual(["3000002", "3000003"]);
      const bad = await search('<Criteria field="status" operator="EQUALS">DONE</Criteria>');
      expect(textAt(bad, "responseCode")).toBe("INVALID_REQUEST");
      const unknown = await search('<Criteria field="owner" operator="EQUALS">x</Criteria>');
      expect(textAt(unknown, "responseErrorDetails.errorMessage")).toContain("Unknown field 'owner'");
    });

    it("pages by offset and by id GREATER, with lastId only when there are more", async () => {
      const page = async (body: string) =>
        sr(await h.call("POST", `${API}/search/was/report`, { body, contentType: XML }));
      const first = await page(
        "<ServiceRequest><preferences><limitResults>2</limitResults><startFromOffset>1</startFromOffset></preferences></ServiceRequest>",
      );
      expect(textAt(first, "count")).toBe("2");
      expect(textAt(first, "hasMoreRecords")).toBe("true");
      expect(textAt(first, "lastId")).toBe("3000002");
      const second = await page(
        "<ServiceRequest><preferences><limitResults>2</limitResults><startFromOffset>3</startFromOffset></preferences></ServiceRequest>",
      );
      expect(listAt(second, "data.Report").map((r) => textAt(r, "id"))).toEqual(["3000003"]);
      expect(textAt(second, "hasMoreRecords")).toBe("false");
      expect(at(second, "lastId")).toBeUndefined();
      const byId = await page(
        '<ServiceRequest><preferences><limitResults>2</limitResults></preferences><filters><Criteria field="id" operator="GREATER">3000002</Criteria></filters></ServiceRequest>',
      );
      expect(listAt(byId, "data.Report").map((r) => textAt(r, "id"))).toEqual(["3000003"]);
      const tooBig = await page(
        "<ServiceRequest><preferences><limitResults>1001</limitResults></preferences></ServiceRequest>",
      );
      expect(textAt(tooBig, "responseCode")).toBe("INVALID_REQUEST");
    });

    it("counts with GET and with filters", async () => {
      const all = sr(await h.call("GET", `${API}/count/was/report`));
      expect(textAt(all, "count")).toBe("3");
      expect(at(all, "data")).toBeUndefined();
      const running = sr(
        await h.call("POST", `${API}/count/was/report`, {
          body: '<ServiceRequest><filters><Criteria field="status" operator="EQUALS">RUNNING</Criteria></filters></ServiceRequest>',
          contentType: XML,
        }),
      );
      expect(textAt(running, "count")).toBe("1");
    });

    it("deletes a report", async () => {
      const res = sr(await h.call("POST", `${API}/delete/was/report/3000002`));
      expect(textAt(res, "responseCode")).toBe("SUCCESS");
      expect(textAt(res, "data.Report.0.id")).toBe("3000002");
      expect(h.world.reports.has(3_000_002)).toBe(false);
      const again = sr(await h.call("POST", `${API}/delete/was/report/3000002`));
      expect(textAt(again, "responseCode")).toBe("NOT_FOUND");
      expect(textAt(sr(await h.call("GET", `${API}/count/was/report`)), "count")).toBe("2");
    });
  });
});
