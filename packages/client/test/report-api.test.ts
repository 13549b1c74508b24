/**
 * Saved-report calls with a fake transport: the criteria on the wire, lenient Report records, and envelope
 * detection for `download` and `downloadStream` (over a plain transport, whose whole body is the head).
 */
import { describe, expect, it } from "vitest";
import {
  createQualysClient,
  looksLikeEnvelope,
  QualysApiError,
  reportCriteria,
  type Transport,
  toReportSummary,
} from "../src/index.js";
import { fakeClock, res, scripted, serviceResponse } from "./fake-transport.js";

const API = "https://qualysapi.qg3.apps.qualys.com";
const auth = { kind: "basic", username: "u", password: "p" } as const;

function client(transport: Transport, pageSize = 2) {
  return createQualysClient({ apiUrl: API, auth, transport, pageSize, clock: fakeClock().clock });
}

const report = (id: number) =>
  `<Report><id>${id}</id><name><![CDATA[Weekly ${id}]]></name><type>WAS_WEBAPP_REPORT</type><format>XML</format><status>COMPLETE</status><size>${id * 10}</size><creationDate>2026-11-0${id}T10:00:00Z</creationDate></Report>`;

async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("was.report.search (docs/qualys-api.md 3.10)", () => {
  it("sends every criterion with its documented operator and pages by id", async () => {
    const fake = scripted([
      res(200, serviceResponse(report(1) + report(2), { count: 2, hasMoreRecords: true, lastId: 2 })),
      res(200, serviceResponse(report(3), { count: 1, hasMoreRecords: false })),
    ]);
    const found = await drain(
      client(fake.transport).was.report.search({
        nameContains: "Weekly & <co>",
        type: "WAS_WEBAPP_REPORT",
        status: "COMPLETE",
        format: "XML",
        createdAfter: "2026-09-01T12:30:00.250+02:00",
        createdBefore: "2026-12-01",
        ids: [1, 2, 3],
        tagIds: [4101],
      }),
    );
    expect(found).toEqual([
      {
        id: 1,
        name: "Weekly 1",
        type: "WAS_WEBAPP_REPORT",
        format: "XML",
        status: "COMPLETE",
        size: 10,
        creationDate: "2026-11-01T10:00:00Z",
      },
      expect.objectContaining({ id: 2 }),
      expect.objectContaining({ id: 3 }),
    ]);
    const first = fake.requests[0]?.body ?? "";
    expect(fake.requests[0]?.url).toBe(`${API}/qps/rest/3.0/search/was/report`);
    for (const expected of [
      '<Criteria field="id" operator="IN">1,2,3</Criteria>',
      '<Criteria field="name" operator="CONTAINS">Weekly &amp; &lt;co&gt;</Criteria>',
      '<Criteria field="type" operator="EQUALS">WAS_WEBAPP_REPORT</Criteria>',
      '<Criteria field="status" operator="EQUALS">COMPLETE</Criteria>',
      '<Criteria field="format" operator="EQUALS">XML</Criteria>',
      // UTC, whole seconds (docs/qualys-api.md 3.3).
      '<Criteria field="creationDate" operator="GREATER">2026-09-01T10:30:00Z</Criteria>',
      '<Criteria field="creationDate" operator="LESSER">2026-12-01T00:00:00Z</Criteria>',
      '<Criteria field="tags.id" operator="IN">4101</Criteria>',
      '<Criteria field="id" operator="GREATER">0</Criteria>',
      "<limitResults>2</limitResults>",
    ])
      expect(first).toContain(expected);
    expect(fake.requests[1]?.body).toContain('<Criteria field="id" operator="GREATER">2</Criteria>');
  });

  it("refuses bad criteria before any call", () => {
    const fake = scripted([]);
    const api = client(fake.transport).was.report;
    expect(() => api.search({ createdBefore: "yesterday" })).toThrow(/createdBefore: "yesterday"/);
    expect(() => reportCriteria({ ids: [1, -2] })).toThrow(/ids: -2 is not a positive integer/);
    expect(fake.requests).toHaveLength(0);
  });

  it("reads Report records leniently", () => {
    expect(toReportSummary({ id: "7", size: "12" })).toEqual({
      id: 7,
      name: "",
      type: "",
      format: "",
      status: "",
      creationDate: undefined,
      size: 12,
    });
  });
});

describe("report downloads: a ServiceResponse in place of the file", () => {
  it.each([
    [
      "application/xml",
      '<?xml version="1.0"?>\n<ServiceResponse><responseCode>INVALID_REQUEST</responseCode>',
    ],
    ["application/json", '{ "ServiceResponse": {"responseCode": "NOT_FOUND"'],
    ["text/xml;charset=UTF-8", "\uFEFF  <ServiceResponse xmlns:xsi='x'>"],
    [undefined, "<ServiceResponse>"],
  ])("%s: %s is an envelope", (contentType, head) => {
    expect(looksLikeEnvelope(contentType, head)).toBe(true);
  });

  it.each([
    ["application/xml", '<?xml version="1.0"?>\n<WAS_WEBAPP_REPORT><HEADER>'],
    ["application/pdf", "<ServiceResponse>"],
    ["text/csv", '"ServiceResponse",1'],
  ])("%s: %s is a file", (contentType, head) => {
    expect(looksLikeEnvelope(contentType, head)).toBe(false);
  });

  it("downloadStream over a plain transport: the file as chunks, or the envelope's error", async () => {
    const file = '<?xml version="1.0"?>\n<WAS_SCAN_REPORT></WAS_SCAN_REPORT>\n';
    const envelope = serviceResponse("", { code: "INVALID_REQUEST" });
    const fake = scripted([
      res(200, file, {
        "content-type": "application/xml",
        "content-disposition": 'attachment; filename="a b.xml"',
      }),
      res(200, envelope, { "content-type": "application/xml" }),
    ]);
    const api = client(fake.transport).was.report;
    const stream = await api.downloadStream(5);
    expect(stream.fileName).toBe("a b.xml");
    expect(Buffer.concat((await drain(stream.body)).map((c) => Buffer.from(c))).toString("utf8")).toBe(file);
    await expect(api.downloadStream(6)).rejects.toBeInstanceOf(QualysApiError);
    expect(fake.requests.map((r) => r.url)).toEqual([
      `${API}/qps/rest/3.0/download/was/report/5`,
      `${API}/qps/rest/3.0/download/was/report/6`,
    ]);
  });
});
