/**
 * Saved reports of the seeded world over plain HTTP: search and count criteria, id paging, creation dates, the
 * hostile report, and generated reports streamed with flat memory.
 */
import { XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  HOSTILE_REPORT_TITLE,
  HOSTILE_REPORT_TITLE_PREFIX,
  type RunningSimulator,
  SAVED_REPORT_COUNTS,
  startSimulator,
} from "../../src/index.js";
import { basic, PASSWORD, USER } from "../server/helpers.js";
import { at, fromBase64, listAt, parseXml, textAt } from "./xml.js";

const API = "/qps/rest/3.0";
const DAY = 86_400_000;

let sim: RunningSimulator;
let started = 0;

beforeAll(async () => {
  started = Date.now();
  sim = await startSimulator({ webapps: 6, findingsPerWebapp: 4, hosts: 1, kbSize: 300 });
});
afterAll(async () => {
  await sim.close();
});

interface Criterion {
  field: string;
  operator: string;
  value: string;
}

function searchBody(criteria: readonly Criterion[], limit?: number): string {
  const prefs = limit === undefined ? "" : `<preferences><limitResults>${limit}</limitResults></preferences>`;
  const filters = criteria
    .map(
      (c) =>
        `<Criteria field="${c.field}" operator="${c.operator}">${c.value.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</Criteria>`,
    )
    .join("");
  return `<ServiceRequest>${prefs}${filters ? `<filters>${filters}</filters>` : ""}</ServiceRequest>`;
}

async function post(operation: "search" | "count", body: string): Promise<unknown> {
  const res = await fetch(`${sim.url}${API}/${operation}/was/report`, {
    method: "POST",
    headers: { Authorization: basic(USER, PASSWORD), "Content-Type": "text/xml" },
    body,
  });
  expect(res.status).toBe(200);
  return at(parseXml(await res.text()), "ServiceResponse");
}

interface Row {
  id: number;
  name: string;
  type: string;
  format: string;
  status: string;
  creationDate: string;
}

function rows(sr: unknown): Row[] {
  return listAt(sr, "data.Report").map((r) => ({
    id: Number(textAt(r, "id")),
    name: textAt(r, "name"),
    type: textAt(r, "type"),
    format: textAt(r, "format"),
    status: textAt(r, "status"),
    creationDate: textAt(r, "creationDate"),
  }));
}

/** Every match, paged the documented way: `id GREATER lastId` while hasMoreRecords (docs/qualys-api.md 3.5). */
async function searchAll(criteria: readonly Criterion[], limit = 7): Promise<{ rows: Row[]; pages: number }> {
  const out: Row[] = [];
  let lastId = 0;
  let pages = 0;
  for (;;) {
    const sr = await post(
      "search",
      searchBody([...criteria, { field: "id", operator: "GREATER", value: String(lastId) }], limit),
    );
    pages += 1;
    expect(textAt(sr, "responseCode")).toBe("SUCCESS");
    const page = rows(sr);
    out.push(...page);
    if (textAt(sr, "hasMoreRecords") !== "true") {
      expect(at(sr, "lastId")).toBeUndefined();
      return { rows: out, pages };
    }
    lastId = Number(textAt(sr, "lastId"));
    expect(lastId).toBe(page[page.length - 1]?.id);
  }
}

async function countOf(criteria: readonly Criterion[]): Promise<number> {
  const sr = await post("count", searchBody(criteria));
  expect(textAt(sr, "responseCode")).toBe("SUCCESS");
  return Number(textAt(sr, "count"));
}

function download(id: number, init: RequestInit = {}): Promise<Response> {
  return fetch(`${sim.url}${API}/download/was/report/${id}`, {
    ...init,
    headers: { Authorization: basic(USER, PASSWORD) },
  });
}

describe("saved reports: search and count (docs/qualys-api.md 3.10)", () => {
  it("pages through every saved report by id, ids and creation dates both ascending", async () => {
    const { rows: all, pages } = await searchAll([]);
    expect(all).toHaveLength(SAVED_REPORT_COUNTS.total + 1); // plus the hostile report
    expect(pages).toBe(Math.ceil(all.length / 7));
    expect(await countOf([])).toBe(all.length);
    const ids = all.map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const dates = all.map((r) => Date.parse(r.creationDate));
    expect(dates).toEqual([...dates].sort((a, b) => a - b));
    // About 14 months back from the simulator's clock, none in the future.
    expect(Math.min(...dates)).toBeGreaterThan(started - 430 * DAY);
    expect(Math.min(...dates)).toBeLessThan(started - 300 * DAY);
    expect(Math.max(...dates)).toBeLessThanOrEqual(Date.now());
    expect(new Set(all.map((r) => r.type))).toEqual(new Set(["WAS_WEBAPP_REPORT", "WAS_SCAN_REPORT"]));
  });

  it("filters on type, status and format, and counts agree with searches", async () => {
    const cases: [Criterion, number | null][] = [
      [{ field: "type", operator: "EQUALS", value: "WAS_SCAN_REPORT" }, SAVED_REPORT_COUNTS.scanReports],
      [{ field: "status", operator: "EQUALS", value: "RUNNING" }, SAVED_REPORT_COUNTS.running],
      [{ field: "status", operator: "EQUALS", value: "ERROR" }, SAVED_REPORT_COUNTS.error],
      [
        { field: "status", operator: "NOT EQUALS", value: "COMPLETE" },
        SAVED_REPORT_COUNTS.running + SAVED_REPORT_COUNTS.error,
      ],
      [{ field: "format", operator: "IN", value: "PDF,CSV,HTML_ZIPPED" }, null],
    ];
    for (const [criterion, expected] of cases) {
      const { rows: found } = await searchAll([criterion], 5);
      if (expected !== null) expect(found, criterion.value).toHaveLength(expected);
      expect(await countOf([criterion])).toBe(found.length);
      for (const row of found) {
        const value = row[criterion.field as "type" | "status" | "format"];
        if (criterion.operator === "NOT EQUALS") expect(value).not.toBe(criterion.value);
        else expect(criterion.value.split(",")).toContain(value);
      }
    }
    const { rows: webAppXml } = await searchAll([
      { field: "type", operator: "EQUALS", value: "WAS_WEBAPP_REPORT" },
      { field: "format", operator: "EQUALS", value: "XML" },
      { field: "status", operator: "EQUALS", value: "COMPLETE" },
    ]);
    // Mostly web app reports in XML.
    expect(webAppXml.length).toBeGreaterThan(SAVED_REPORT_COUNTS.total / 2);
  });

  it("filters names with EQUALS, CONTAINS (any case) and NOT EQUALS; there is no prefix operator", async () => {
    const { rows: all } = await searchAll([]);
    for (const prefix of ["Weekly", "Ivanti"]) {
      const { rows: found } = await searchAll([
        { field: "name", operator: "CONTAINS", value: prefix.toUpperCase() },
      ]);
      expect(found.length).toBeGreaterThan(2);
      expect(found.map((r) => r.id)).toEqual(
        all.filter((r) => r.name.toLowerCase().includes(prefix.toLowerCase())).map((r) => r.id),
      );
    }
    const one = all.find((r) => r.name.startsWith("Monthly")) as Row;
    expect(
      (await searchAll([{ field: "name", operator: "EQUALS", value: one.name }])).rows.map((r) => r.id),
    ).toEqual([one.id]);
    expect(await countOf([{ field: "name", operator: "NOT EQUALS", value: one.name }])).toBe(all.length - 1);
    const refused = await post(
      "search",
      searchBody([{ field: "name", operator: "STARTS_WITH", value: "Weekly" }]),
    );
    expect(textAt(refused, "responseCode")).toBe("INVALID_REQUEST");
  });

  it("filters creation dates with GREATER and LESSER (a 90-day window)", async () => {
    const { rows: all } = await searchAll([]);
    const since = `${new Date(started - 90 * DAY).toISOString().slice(0, 19)}Z`;
    const { rows: recent } = await searchAll([{ field: "creationDate", operator: "GREATER", value: since }]);
    expect(recent.map((r) => r.id)).toEqual(
      all.filter((r) => Date.parse(r.creationDate) > Date.parse(since)).map((r) => r.id),
    );
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.length).toBeLessThan(all.length);
    const older = await countOf([{ field: "creationDate", operator: "LESSER", value: since }]);
    expect(older + recent.length).toBe(all.length);
  });

  it("filters on tags.id and tags.name, and on ids", async () => {
    const { rows: ivanti } = await searchAll([{ field: "tags.name", operator: "EQUALS", value: "Ivanti" }]);
    expect(ivanti.length).toBeGreaterThan(0);
    for (const r of ivanti) expect(r.name.startsWith("Ivanti")).toBe(true);
    expect((await searchAll([{ field: "tags.id", operator: "IN", value: "4101" }])).rows).toEqual(ivanti);
    const ids = ivanti.slice(0, 2).map((r) => r.id);
    expect(
      (await searchAll([{ field: "id", operator: "IN", value: ids.join(",") }])).rows.map((r) => r.id),
    ).toEqual(ids);
  });
});

describe("saved reports: downloads", () => {
  it("a COMPLETE web app report renders from the world's current data at each download", async () => {
    const { rows: found } = await searchAll([
      { field: "type", operator: "EQUALS", value: "WAS_WEBAPP_REPORT" },
      { field: "format", operator: "EQUALS", value: "XML" },
      { field: "status", operator: "EQUALS", value: "COMPLETE" },
      { field: "name", operator: "CONTAINS", value: "Weekly" },
    ]);
    const report = found[0] as Row;
    const saved = sim.control.world.reports.get(report.id);
    const webAppId = saved?.targetIds[0] as number;
    const xml = await (await download(report.id)).text();
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parseXml(xml);
    expect(textAt(doc, "WAS_WEBAPP_REPORT.HEADER.NAME")).toBe(report.name);
    const webApps = listAt(doc, "WAS_WEBAPP_REPORT.RESULTS.WEB_APPLICATION");
    expect(webApps.map((w) => Number(textAt(w, "ID")))).toEqual(saved?.targetIds);
    // Change the world: the next download shows it.
    const app = sim.control.world.webApps.get(webAppId);
    if (!app) throw new Error("target web app missing");
    const before = app.name;
    app.name = "Renamed after the report was saved";
    try {
      const again = parseXml(await (await download(report.id)).text());
      expect(textAt(again, "WAS_WEBAPP_REPORT.RESULTS.WEB_APPLICATION.0.NAME")).toBe(app.name);
    } finally {
      app.name = before;
    }
  });

  it("RUNNING and ERROR reports answer an error envelope instead of a file", async () => {
    for (const status of ["RUNNING", "ERROR"]) {
      const { rows: found } = await searchAll([{ field: "status", operator: "EQUALS", value: status }]);
      const res = await download((found[0] as Row).id);
      const sr = at(parseXml(await res.text()), "ServiceResponse");
      expect(textAt(sr, "responseCode")).toBe("INVALID_REQUEST");
      expect(textAt(sr, "responseErrorDetails.errorMessage")).toContain(status);
    }
  });

  it("the hostile report is well-formed XML whose text fields carry the hostile strings", async () => {
    const { rows: found } = await searchAll([
      { field: "name", operator: "CONTAINS", value: HOSTILE_REPORT_TITLE_PREFIX },
    ]);
    expect(found.map((r) => r.name)).toEqual([HOSTILE_REPORT_TITLE]);
    // The newest settled report: its id follows from the counts alone (as the README says).
    expect(found[0]?.id).toBe(3_000_001 + SAVED_REPORT_COUNTS.total - SAVED_REPORT_COUNTS.running);
    const res = await download((found[0] as Row).id);
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="Hostile strings report[ -~]*\.xml"$/,
    );
    const xml = await res.text();
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain("<![CDATA[");
    const doc = parseXml(xml);
    const report = at(doc, "WAS_WEBAPP_REPORT");
    expect(textAt(report, "HEADER.NAME")).toBe(HOSTILE_REPORT_TITLE);
    const webApp = listAt(report, "RESULTS.WEB_APPLICATION")[0];
    const name = textAt(webApp, "NAME");
    for (const needle of [
      "<script>",
      "onerror=",
      "##vso[",
      "::error",
      "\u202e",
      "\u009b31m",
      "=HYPERLINK",
      "+cmd",
      "@SUM",
    ])
      expect(name).toContain(needle);
    const vulns = listAt(webApp, "VULNERABILITY_LIST.VULNERABILITY");
    expect(vulns).toHaveLength(14);
    const texts = vulns.flatMap((v) => [
      textAt(v, "URL"),
      textAt(v, "PARAM"),
      textAt(v, "PAYLOADS.PAYLOAD.0.PAYLOAD"),
      textAt(v, "PAYLOADS.PAYLOAD.0.REQUEST.BODY"),
    ]);
    const joined = texts.join("\n");
    for (const needle of ["javascript:", "<img src=x onerror=", "-2+3+cmd", "\u2066", "]]>"])
      expect(joined).toContain(needle);
    const titles = listAt(report, "GLOSSARY.QID_LIST.QID").map((q) => textAt(q, "TITLE"));
    expect(titles.some((t) => t.includes("<script>"))).toBe(true);
    // Terminal escapes cannot be XML text; they are in the base64 responses.
    const response = fromBase64(textAt(vulns[0], "PAYLOADS.PAYLOAD.0.RESPONSE.CONTENTS"));
    expect(response).toContain("\u001b[2J");
    expect(response).toContain("##vso[");
  });

  it("a generated report is well-formed, holds N records of the asked response size, in both layouts", async () => {
    for (const type of ["WAS_WEBAPP_REPORT", "WAS_SCAN_REPORT"] as const) {
      const res = await fetch(`${sim.url}/__sim/reports`, {
        method: "POST",
        body: JSON.stringify({ findings: 9, responseBytes: 100_001, type, name: `Generated ${type}` }),
      });
      expect(res.status).toBe(200);
      const { id, name } = (await res.json()) as { id: number; name: string };
      expect(name).toBe(`Generated ${type}`);
      const listed = rows(
        await post("search", searchBody([{ field: "id", operator: "EQUALS", value: String(id) }])),
      );
      expect(listed.map((r) => [r.type, r.format, r.status])).toEqual([[type, "XML", "COMPLETE"]]);
      const xml = await (await download(id)).text();
      expect(XMLValidator.validate(xml)).toBe(true);
      const lists =
        type === "WAS_SCAN_REPORT"
          ? "WAS_SCAN_REPORT.RESULTS"
          : "WAS_WEBAPP_REPORT.RESULTS.WEB_APPLICATION.0";
      const vulns = listAt(parseXml(xml), `${lists}.VULNERABILITY_LIST.VULNERABILITY`);
      expect(vulns).toHaveLength(9);
      for (const v of vulns)
        expect(Buffer.from(textAt(v, "PAYLOADS.PAYLOAD.0.RESPONSE.CONTENTS"), "base64")).toHaveLength(
          100_001,
        );
      expect(Number(textAt(parseXml(xml), `${type}.SUMMARY.GLOBAL_SUMMARY.VULNERABILITY`))).toBe(9);
    }
  });

  it("refuses a bad generated report request", async () => {
    const res = await fetch(`${sim.url}/__sim/reports`, {
      method: "POST",
      body: JSON.stringify({ findings: -1, responseBytes: 10 }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain("findings");
  });

  it("streams a 200 MB generated report while the process' memory stays flat", async () => {
    const findings = 200;
    const responseBytes = 750 * 1024; // about 1 MB of base64 per record
    const { id } = sim.control.addGeneratedReport({ findings, responseBytes });
    const baseline = process.memoryUsage().rss;
    const res = await download(id);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let peak = baseline;
    let total = 0;
    let tail = "";
    let records = 0;
    let carry = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      // Count records across chunk boundaries without keeping the document.
      const text = carry + Buffer.from(value).toString("latin1");
      records += text.split("<UNIQUE_ID>").length - 1;
      carry = text.slice(-("<UNIQUE_ID>".length - 1));
      tail = (tail + text).slice(-200);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(total).toBeGreaterThan(200_000_000);
    expect(records).toBe(findings);
    expect(tail.trimEnd().endsWith("</WAS_WEBAPP_REPORT>")).toBe(true);
    // The whole document would be 200 MB (and more as a string); flat means well under that.
    expect(peak - baseline).toBeLessThan(80 * 1024 * 1024);
  });
});

describe("generated reports from options", () => {
  it("adds them at start and again after a reset; bad ones are refused", async () => {
    const own = await startSimulator({
      webapps: 1,
      findingsPerWebapp: 1,
      hosts: 0,
      kbSize: 300,
      generatedReports: [{ name: "Big one", findings: 3, responseBytes: 10, type: "WAS_SCAN_REPORT" }],
    });
    try {
      const named = () => [...own.control.world.reports.values()].filter((r) => r.name === "Big one");
      expect(named().map((r) => [r.type, r.status, r.generated?.findings])).toEqual([
        ["WAS_SCAN_REPORT", "COMPLETE", 3],
      ]);
      own.control.addGeneratedReport({ findings: 1, responseBytes: 1, name: "Added later" });
      own.control.reset();
      expect(named()).toHaveLength(1);
      expect([...own.control.world.reports.values()].some((r) => r.name === "Added later")).toBe(false);
      expect(() => own.control.addGeneratedReport({ findings: 2, responseBytes: 8 * 1024 ** 3 })).toThrow(
        /at most 8589934592 bytes/,
      );
    } finally {
      await own.close();
    }
    await expect(startSimulator({ generatedReports: [{ findings: 1.5, responseBytes: 1 }] })).rejects.toThrow(
      /generatedReports\[0\]: findings must be an integer/,
    );
  });
});
