/**
 * Reports over HTTP against a running simulator: create, poll status, download, parse, the way the GitHub Action
 * and the Jenkins plugin do it (docs/qualys-api.md 3.10). A finished scan is placed in the live world
 * directly so the test does not depend on the scan lifecycle.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../../src/index.js";
import type { SimWasScan } from "../../src/model.js";
import { allocateId } from "../../src/world.js";
import { finding, kb, OWNER, resultItem, scanReportBody, webApp } from "./fixture.js";
import { at, fromBase64, listAt, parseXml, textAt } from "./xml.js";

const AUTH = `Basic ${Buffer.from("sim_user:sim-password").toString("base64")}`;
const API = "/qps/rest/3.0";

function seedFinishedScan(sim: RunningSimulator): { scanId: number; findingId: number } {
  const world = sim.control.world;
  const webAppId = allocateId(world, "webApp");
  world.webApps.set(webAppId, webApp(webAppId, "Wire <app>", "https://wire.example.com/"));
  if (!world.kb.has(150001))
    world.kb.set(150001, kb({ qid: 150001, title: "Reflected XSS", severity: 4, group: "XSS" }));
  const f = finding({
    id: allocateId(world, "finding"),
    qid: 150001,
    name: "Reflected XSS",
    type: "VULNERABILITY",
    severity: 4,
    webAppId,
    url: "https://wire.example.com/?q=1&r=<2>",
    param: "q",
  });
  world.findings.set(f.id, f);
  const scanId = allocateId(world, "wasScan");
  const scan: SimWasScan = {
    id: scanId,
    name: "Wire scan",
    reference: `was/1773333720000.${scanId}`,
    type: "VULNERABILITY",
    mode: "API",
    webAppId,
    authRecordId: null,
    profileId: 0,
    scanner: { type: "EXTERNAL" },
    cancelAfterNHours: null,
    launchedDate: "2026-03-12T16:42:00Z",
    launchedBy: OWNER,
    status: "FINISHED",
    timeline: { runningAt: 0, processingAt: 0, finishedAt: 0 },
    outcome: { status: "FINISHED", resultsStatus: "FINISHED", authStatus: "NONE" },
    stuck: false,
    endScanDate: "2026-03-12T16:50:00Z",
    resultsStatus: "FINISHED",
    authStatus: "NONE",
    canceledBy: null,
    cancelMode: null,
    summary: { crawlDuration: 1, testDuration: 1, linksCrawled: 1, nbRequests: 1 },
    results: [resultItem(f, { payloads: [{ payload: "<svg/onload=1>", result: "echoed <svg/onload=1>" }] })],
  };
  world.wasScans.set(scanId, scan);
  return { scanId, findingId: f.id };
}

async function call(sim: RunningSimulator, method: string, path: string, init: RequestInit = {}) {
  return fetch(`${sim.url}${API}${path}`, {
    method,
    ...init,
    headers: { Authorization: AUTH, ...(init.headers as Record<string, string> | undefined) },
  });
}

async function waitForStatus(sim: RunningSimulator, id: number, wanted: string): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 500; i++) {
    const res = await call(sim, "GET", `/status/was/report/${id}`, {
      headers: { Accept: "application/json" },
    });
    const body = (await res.json()) as { ServiceResponse: { data: { Report: { status: string } }[] } };
    const status = body.ServiceResponse.data[0]?.Report.status ?? "";
    seen.push(status);
    if (status === wanted) return seen;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`report ${id} never reached ${wanted}: ${seen.join(",")}`);
}

describe("WAS reports over HTTP", () => {
  let sim: RunningSimulator;
  let seeded: { scanId: number; findingId: number };
  /** Reports this file created (the seeded world may hold others). */
  const createdIds: number[] = [];
  beforeAll(async () => {
    sim = await startSimulator({
      webapps: 1,
      findingsPerWebapp: 1,
      hosts: 0,
      kbSize: 50,
      // Long enough that the first status poll still sees RUNNING on a loaded machine.
      reportDurationMs: 1000,
    });
    seeded = seedFinishedScan(sim);
  });
  afterAll(async () => {
    await sim.close();
  });

  it("creates an XML scan report, polls it to COMPLETE and downloads a parseable WAS_SCAN_REPORT", async () => {
    const created = await call(sim, "POST", "/create/was/report", {
      headers: { "Content-Type": "text/xml" },
      body: scanReportBody([seeded.scanId], "XML", "Wire report"),
    });
    expect(created.status).toBe(200);
    const createdDoc = parseXml(await created.text());
    expect(textAt(createdDoc, "ServiceResponse.responseCode")).toBe("SUCCESS");
    const id = Number(textAt(createdDoc, "ServiceResponse.data.Report.0.id"));
    createdIds.push(id);

    const statuses = await waitForStatus(sim, id, "COMPLETE");
    expect(statuses[0]).toBe("RUNNING");

    const download = await call(sim, "GET", `/download/was/report/${id}`);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/xml");
    expect(download.headers.get("content-disposition")).toBe('attachment; filename="Wire report.xml"');
    const doc = parseXml(await download.text());
    const vulns = listAt(doc, "WAS_SCAN_REPORT.RESULTS.VULNERABILITY_LIST.VULNERABILITY");
    expect(vulns).toHaveLength(1);
    expect(textAt(vulns[0], "ID")).toBe(String(seeded.findingId));
    expect(textAt(vulns[0], "URL")).toBe("https://wire.example.com/?q=1&r=<2>");
    expect(textAt(vulns[0], "PAYLOADS.PAYLOAD.0.PAYLOAD")).toBe("<svg/onload=1>");
    expect(fromBase64(textAt(vulns[0], "PAYLOADS.PAYLOAD.0.RESPONSE.CONTENTS"))).toBe(
      "echoed <svg/onload=1>",
    );
    expect(textAt(doc, "WAS_SCAN_REPORT.APPENDIX.WEBAPP.0.NAME")).toBe("Wire <app>");
  });

  it("serves the GitHub Action's JSON flow with a PDF download", async () => {
    const created = await call(sim, "POST", "/create/was/report", {
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({
        ServiceRequest: {
          data: {
            Report: {
              name: `ScanReport_${seeded.scanId}`,
              description: "Report",
              format: "PDF",
              type: "WAS_SCAN_REPORT",
              config: { scanReport: { target: { scans: { WasScan: { id: String(seeded.scanId) } } } } },
            },
          },
        },
      }),
    });
    const body = (await created.json()) as {
      ServiceResponse: { responseCode: string; data: { Report: { id: number } }[] };
    };
    expect(body.ServiceResponse.responseCode).toBe("SUCCESS");
    const id = body.ServiceResponse.data[0]?.Report.id ?? 0;
    createdIds.push(id);
    await waitForStatus(sim, id, "COMPLETE");
    const download = await call(sim, "GET", `/download/was/report/${id}`);
    expect(download.headers.get("content-type")).toBe("application/pdf");
    // GitHub Action: split on "filename=", strip quotes.
    const disposition = download.headers.get("content-disposition") ?? "";
    expect(disposition.split("filename=")[1]?.trim().replace(/"/g, "")).toBe(
      `ScanReport_${seeded.scanId}.pdf`,
    );
    const pdf = Buffer.from(await download.arrayBuffer()).toString("latin1");
    expect(pdf.startsWith("%PDF-")).toBe(true);
    expect(pdf).toContain("Qualys API simulator report");
  });

  it("lists the reports through search and count", async () => {
    const mine = `<Criteria field="id" operator="IN">${createdIds.join(",")}</Criteria>`;
    const count = await call(sim, "POST", "/count/was/report", {
      headers: { "Content-Type": "text/xml" },
      body: `<ServiceRequest><filters>${mine}</filters></ServiceRequest>`,
    });
    expect(textAt(parseXml(await count.text()), "ServiceResponse.count")).toBe("2");
    const search = await call(sim, "POST", "/search/was/report", {
      headers: { "Content-Type": "text/xml" },
      body: `<ServiceRequest><filters>${mine}<Criteria field="format" operator="EQUALS">XML</Criteria></filters></ServiceRequest>`,
    });
    const doc = parseXml(await search.text());
    expect(listAt(doc, "ServiceResponse.data.Report").map((r) => textAt(r, "name"))).toEqual(["Wire report"]);
    expect(at(doc, "ServiceResponse.hasMoreRecords")).toBe("false");
  });

  it("is behind QPS authentication", async () => {
    const res = await fetch(`${sim.url}${API}/count/was/report`);
    expect(res.status).toBe(200);
    expect(textAt(parseXml(await res.text()), "ServiceResponse.responseCode")).toBe("INVALID_CREDENTIALS");
  });
});
