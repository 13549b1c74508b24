/**
 * readReport on hand-made documents: each input form (plain, gzip, zip, standard input), each kind, and what a
 * report's records become (ids, dates, statuses, labels, classes, evidence).
 */

import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { fingerprint, type ReportItem, severityLabels } from "@qualys-connector/model";
import { afterAll, describe, expect, it } from "vitest";
import { ReportFormatError } from "../src/index.js";
import { findings, payload, readAll, scanReport, streamOf, webAppReport, zip } from "./report-fixtures.js";

const dir = mkdtempSync(path.join(tmpdir(), "reports-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function endOf(items: ReportItem[]) {
  const end = items.at(-1);
  if (end?.type !== "end") throw new Error("the last item is not the end");
  return end;
}

function file(name: string, content: Buffer | string): string {
  const target = path.join(dir, name);
  writeFileSync(target, content);
  return target;
}

const ONE = scanReport([
  { uniqueId: "u-1", id: "7", qid: "150001", extra: payload("<html>hit</html>", "q=1") },
]);

describe("input forms, told apart by their first bytes", () => {
  it("reads the same report plain, gzipped, zipped (deflate with a data descriptor, stored) and from a stream", async () => {
    const plain = Buffer.from(ONE, "utf8");
    const forms: [string, Buffer][] = [
      ["plain.zip", plain], // a misleading name: the content decides
      ["report.xml", gzipSync(plain)],
      ["report.bin", zip([{ name: "report.xml", data: plain, descriptor: true }])],
      ["stored.zip", zip([{ name: "report.xml", data: plain, method: "stored" }])],
      ["deflated.zip", zip([{ name: "report.xml", data: plain }])],
    ];
    const expected = findings(await readAll({ path: file("reference.xml", plain) }));
    expect(expected).toHaveLength(1);
    for (const [name, bytes] of forms) {
      const items = await readAll({ path: file(name, bytes) });
      expect(findings(items), name).toEqual(expected);
      const end = endOf(items);
      expect(end.provenance.bytes, name).toBe(bytes.length);
      expect(end.provenance.sha256, name).toBe(createHash("sha256").update(bytes).digest("hex"));
      expect(end.provenance.fileName).toBe(name);
      // And a few bytes at a time from a stream, as standard input delivers it.
      const streamed = await readAll(streamOf(bytes, "-", 7));
      expect(findings(streamed), `${name} streamed`).toEqual(expected);
      expect(endOf(streamed).provenance.fileName).toBe("-");
    }
  });

  it("refuses a zip of two entries, naming them, and a stored entry whose size follows its data", async () => {
    const plain = Buffer.from(ONE, "utf8");
    const two = zip([
      { name: "report.xml", data: plain },
      { name: "readme.txt", data: Buffer.from("hello") },
    ]);
    await expect(readAll({ path: file("two.zip", two) })).rejects.toThrow(
      /two\.zip:\d+:\d+: the zip archive holds 2 entries \("report\.xml", "readme\.txt"\)/,
    );
    const stored = zip([{ name: "report.xml", data: plain, method: "stored", descriptor: true }]);
    await expect(readAll({ path: file("stored-descriptor.zip", stored) })).rejects.toThrow(
      /zip entry "report\.xml" is stored with its size after the data/,
    );
  });

  it("reports progress in raw bytes read", async () => {
    const bytes = gzipSync(Buffer.from(ONE));
    const seen: number[] = [];
    await readAll(streamOf(bytes, "-", 100), { onProgress: (n) => seen.push(n) });
    expect(seen.at(-1)).toBe(bytes.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});

describe("WAS_SCAN_REPORT", () => {
  it("yields definitions and the web app, then every finding of the three types, then one end item", async () => {
    const items = await readAll(
      streamOf(
        scanReport([
          { uniqueId: "u-1", id: "1", qid: "150001", potential: "true", authentication: "Required" },
          { uniqueId: "u-2", id: "2", qid: "150001", ignored: "true" },
          { type: "SENSITIVE_CONTENT", uniqueId: "u-3", id: "3", qid: "150002", authentication: "Sometimes" },
          {
            type: "INFORMATION_GATHERED",
            uniqueId: "u-4",
            id: "4",
            qid: "6",
            date: "15 Mar 2020 03:03AM GMT",
            extra: `<DATA base64="true">${Buffer.from("Scan duration: 686 seconds").toString("base64")}</DATA>`,
          },
        ]),
      ),
    );
    expect(items.map((i) => i.type)).toEqual([
      "definition",
      "definition",
      "definition",
      "application",
      "finding",
      "finding",
      "finding",
      "finding",
      "end",
    ]);
    const [potential, ignored, sensitive, gathered] = findings(items);
    expect(potential).toMatchObject({
      uid: "u-1",
      webAppId: 42,
      type: "VULNERABILITY",
      potential: true,
      severity: 5,
      severityLabel: "Critical",
      status: undefined,
      authenticated: true,
      lastDetectedDate: "2020-03-12T20:42:00.000Z",
      cwe: ["CWE-79"],
      owasp: ["A7:2017"],
      wasc: ["WASC-8"],
      categories: ["VULNERABILITY", "XSS"],
      name: "Reflected XSS",
    });
    expect(ignored).toMatchObject({ isIgnored: true, potential: false, authenticated: false });
    expect(sensitive).toMatchObject({
      type: "SENSITIVE_CONTENT",
      severity: 2,
      severityLabel: "Medium",
      authenticated: undefined,
    });
    expect(gathered).toMatchObject({
      type: "INFORMATION_GATHERED",
      severity: 3,
      severityLabel: "Low",
      lastDetectedDate: "2020-03-15T03:03:00.000Z",
      evidence: { request: undefined, response: "Scan duration: 686 seconds", truncated: false },
      url: undefined,
    });
    const end = endOf(items);
    expect(end.counts).toEqual({
      applications: 1,
      definitions: 3,
      findings: { VULNERABILITY: 2, SENSITIVE_CONTENT: 1, INFORMATION_GATHERED: 1 },
    });
    expect(end.provenance).toMatchObject({
      kind: "WAS_SCAN_REPORT",
      title: "Nightly scan",
      generatedAt: "2020-04-01T17:16:00.000Z",
      scanIds: ["was/1584045746255.2267109"],
      webAppIds: [42],
      reportId: undefined,
    });
    const definition = items.find((i) => i.type === "definition");
    expect(definition).toEqual({
      type: "definition",
      record: expect.objectContaining({
        qid: 150001,
        title: "Reflected XSS",
        severity: 5,
        severityScore: 4.3,
        cvssV2Base: 4.3,
        categories: ["Confirmed Vulnerability", "XSS"],
        diagnosis: "Script in a page.",
        consequence: "Session theft.",
        solution: "Encode output.",
      }),
    });
  });

  it("keeps the first payload's request and decoded response as evidence", async () => {
    const [finding] = findings(await readAll(streamOf(ONE)));
    expect(finding?.evidence).toEqual({
      request: "POST https://shop.example/search\nHost: shop.example\nAccept: */*\n\nq=1",
      response: "<html>hit</html>",
      truncated: false,
    });
  });

  it("without a UNIQUE_ID, the uid is the model fingerprint of web app, QID, URL and parameter", async () => {
    const items = await readAll(
      streamOf(scanReport([{ id: "9", qid: "150001", url: "https://shop.example/a?x=1", param: "x" }])),
    );
    const finding = items.find((i) => i.type === "finding");
    expect(finding).toMatchObject({
      uidIsUniqueId: false,
      record: {
        uid: fingerprint({ target: "42", qid: 150001, url: "https://shop.example/a?x=1", param: "x" }),
      },
    });
  });

  it("attributes findings of a report over several web apps by URL; unattributable ones get web app 0", async () => {
    const appendix =
      "<WEBAPP><ID>1</ID><NAME>a</NAME><URL>https://a.example</URL></WEBAPP><WEBAPP><ID>2</ID><NAME>b</NAME><URL>https://b.example/app/</URL></WEBAPP>";
    const items = await readAll(
      streamOf(
        scanReport(
          [
            { uniqueId: "1", url: "https://b.example/app/login" },
            { uniqueId: "2", url: "https://a.example/x" },
            { type: "INFORMATION_GATHERED", uniqueId: "3", qid: "6" },
          ],
          appendix,
        ),
      ),
    );
    expect(findings(items).map((f) => f.webAppId)).toEqual([2, 1, 0]);
    expect(endOf(items).provenance.webAppIds).toEqual([1, 2]);
  });

  it("labels with the map it is given", async () => {
    const labels = severityLabels({ VULNERABILITY: { 5: "P1" } });
    const [finding] = findings(await readAll(streamOf(ONE), { labels }));
    expect(finding?.severityLabel).toBe("P1");
  });
});

describe("WAS_WEBAPP_REPORT", () => {
  it("reads findings per web app with their status and detection dates", async () => {
    const items = await readAll(
      streamOf(
        webAppReport([
          {
            id: 11,
            name: "Shop",
            url: "https://shop.example",
            findings: [
              { uniqueId: "a", qid: "150001", status: "Reopened", date: "01 Aug 2026 01:00PM UTC" },
              { type: "INFORMATION_GATHERED", uniqueId: "b", qid: "6" },
            ],
          },
          {
            id: 12,
            name: "Blog",
            url: "https://blog.example",
            findings: [{ uniqueId: "c", qid: "150001", status: "FIXED" }],
          },
        ]),
      ),
    );
    expect(
      items
        .filter((i) => i.type === "application")
        .map((i) => (i.type === "application" ? i.record : undefined)),
    ).toEqual([
      expect.objectContaining({
        id: 11,
        uid: "11",
        name: "Shop",
        url: "https://shop.example",
        tags: [],
        categories: ["Web Application"],
      }),
      expect.objectContaining({ id: 12, name: "Blog" }),
    ]);
    expect(findings(items).map((f) => [f.uid, f.webAppId, f.status, f.firstDetectedDate])).toEqual([
      ["a", 11, "REOPENED", "2026-08-01T13:00:00.000Z"],
      ["b", 11, undefined, undefined],
      ["c", 12, "FIXED", "2020-03-12T20:42:00.000Z"],
    ]);
    expect(endOf(items).provenance).toMatchObject({ kind: "WAS_WEBAPP_REPORT", webAppIds: [11, 12] });
  });
});

describe("the gate's result.json", () => {
  const result = {
    schemaVersion: 1,
    tool: { name: "qualys-connector", version: "0.1.0" },
    generatedAt: "2026-12-01T10:00:00.000Z",
    verdict: "failed",
    exitCode: 1,
    reason: "1 vulnerability",
    scan: {
      kind: "was",
      id: "4242",
      name: "CI scan",
      reference: "was/1700000000000.1",
      launchedDate: "2026-12-01T09:00:00Z",
      target: { id: "77", name: "Shop", url: "https://shop.example" },
    },
    findings: [
      {
        fingerprint: "f".repeat(32),
        qid: 150001,
        title: "Reflected XSS",
        severity: 4,
        target: "77",
        url: "https://shop.example/s",
        param: "q",
        authenticated: true,
        potential: false,
        instances: 2,
        disposition: "counted",
        isNew: true,
      },
    ],
    definitions: {
      "150001": {
        qid: 150001,
        title: "Reflected XSS",
        severity: 4,
        category: "Cross Site Scripting",
        cves: [],
        cvssV3Base: 6.1,
        pci: true,
        cwe: ["CWE-79"],
        owasp: ["A03:2021"],
        wasc: ["WASC-8"],
      },
    },
  };

  it("yields the definitions, the scanned web app and the findings, streamed", async () => {
    const items = await readAll(streamOf(JSON.stringify(result, null, 2), "result.json", 5));
    expect(items.map((i) => i.type)).toEqual(["definition", "application", "finding", "end"]);
    const [finding] = findings(items);
    expect(finding).toMatchObject({
      uid: "f".repeat(32),
      webAppId: 77,
      qid: 150001,
      severity: 4,
      severityLabel: "Critical",
      url: "https://shop.example/s",
      param: "q",
      authenticated: true,
      lastDetectedDate: "2026-12-01T09:00:00.000Z",
      cwe: ["CWE-79"],
      owasp: ["A03:2021"],
      wasc: ["WASC-8"],
    });
    expect(items.find((i) => i.type === "finding")).toMatchObject({ uidIsUniqueId: false });
    expect(endOf(items).provenance).toMatchObject({
      kind: "GATE_RESULT",
      title: "CI scan",
      generatedAt: "2026-12-01T10:00:00.000Z",
      scanIds: ["was/1700000000000.1"],
      webAppIds: [77],
    });
  });

  it("refuses a VM result, whose targets are hosts", async () => {
    const vm = {
      ...result,
      scan: { ...result.scan, kind: "vm" },
      findings: [{ ...result.findings[0], target: "10.0.0.1" }],
    };
    await expect(readAll(streamOf(JSON.stringify(vm), "vm.json"))).rejects.toThrow(ReportFormatError);
  });
});
