import { describe, expect, it } from "vitest";
import {
  createQualysClient,
  QualysApiError,
  QualysAuthError,
  QualysParseError,
  type Transport,
  toVmScanResults,
} from "../src/index.js";
import { fakeClock, res, routed, scripted, serviceResponse, simpleReturn } from "./fake-transport.js";

const API = "https://qualysapi.qg3.apps.qualys.com";
const auth = { kind: "basic", username: "u", password: "p" } as const;
const webApp = (id: number) =>
  `<WebApp><id>${id}</id><name><![CDATA[app ${id}]]></name><url>https://a${id}</url></WebApp>`;

function client(transport: Transport, pageSize = 2) {
  return createQualysClient({ apiUrl: API, auth, transport, pageSize, clock: fakeClock().clock });
}

async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("WAS searches: both pagination styles (docs/qualys-api.md 3.5)", () => {
  it("id cursor: adds `id GREATER lastId` until hasMoreRecords is false", async () => {
    const fake = scripted([
      res(200, serviceResponse(webApp(10) + webApp(11), { count: 2, hasMoreRecords: true, lastId: 11 })),
      res(200, serviceResponse(webApp(12), { count: 1, hasMoreRecords: false })),
    ]);
    const apps = await drain(
      client(fake.transport).was.webApps.list({
        criteria: [{ field: "name", operator: "CONTAINS", value: "a&b" }],
      }),
    );
    expect(apps.map((a) => [a.id, a.name])).toEqual([
      [10, "app 10"],
      [11, "app 11"],
      [12, "app 12"],
    ]);
    expect(fake.requests[0]?.body).toContain('<Criteria field="id" operator="GREATER">0</Criteria>');
    expect(fake.requests[0]?.body).toContain('<Criteria field="name" operator="CONTAINS">a&amp;b</Criteria>');
    expect(fake.requests[0]?.body).toContain("<limitResults>2</limitResults>");
    expect(fake.requests[1]?.body).toContain('<Criteria field="id" operator="GREATER">11</Criteria>');
    expect(fake.requests[1]?.headers["Content-Type"]).toBe("text/xml");
  });

  it("offset: startFromOffset 1, 3, … (JSON answers with string hasMoreRecords and single-key data objects)", async () => {
    const page = (ids: number[], more: string) =>
      JSON.stringify({
        ServiceResponse: {
          responseCode: "SUCCESS",
          count: ids.length,
          hasMoreRecords: more,
          data: ids.map((id) => ({
            Finding: {
              id,
              qid: "150001",
              name: "XSS",
              type: "VULNERABILITY",
              potential: "false",
              severity: "5",
              webApp: { id: 7 },
            },
          })),
        },
      });
    const fake = scripted([res(200, page([1, 2], "true")), res(200, page([3], "false"))]);
    const findings = await drain(client(fake.transport).was.findings.list({ paging: "offset" }));
    expect(findings.map((f) => [f.id, f.qid, f.severity, f.potential, f.webApp?.id])).toEqual([
      [1, 150001, 5, false, 7],
      [2, 150001, 5, false, 7],
      [3, 150001, 5, false, 7],
    ]);
    expect(fake.requests.map((r) => /<startFromOffset>(\d+)</.exec(r.body ?? "")?.[1])).toEqual(["1", "3"]);
    expect(fake.requests[0]?.body).not.toContain("GREATER");
  });

  it("count, get and a 401 UNAUTHORIZED ServiceResponse naming the module", async () => {
    const fake = routed({
      "POST /qps/rest/3.0/count/was/webapp": res(200, serviceResponse("", { count: 7 })),
      "GET /qps/rest/3.0/get/was/webapp/5": res(
        200,
        serviceResponse(
          `<WebApp><id>5</id><name>x</name><url>u</url><defaultScanner><type>EXTERNAL</type></defaultScanner><tags><count>1</count><list><Tag><id>9</id><name>prod</name></Tag></list></tags></WebApp>`,
        ),
      ),
      "POST /qps/rest/3.0/search/was/finding": res(
        401,
        serviceResponse("", { code: "UNAUTHORIZED" }).replace(
          "</ServiceResponse>",
          "<responseErrorDetails><errorMessage>You are not authorized to access the application through the API.</errorMessage></responseErrorDetails></ServiceResponse>",
        ),
      ),
    });
    const c = client(fake.transport);
    expect(await c.was.webApps.count()).toBe(7);
    expect(await c.was.webApps.details(5)).toMatchObject({
      id: 5,
      defaultScannerType: "EXTERNAL",
      tags: [{ id: 9, name: "prod" }],
    });
    const error = await drain(c.was.findings.list()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QualysAuthError);
    expect(error).toMatchObject({ reason: "unauthorized", module: "WAS" });
  });
});

describe("WAS scan download (docs/qualys-api.md 3.8)", () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?><WasScan><id>42</id><name>ci</name><status>FINISHED</status>
    <target><webApp><id>5</id><name>shop</name><url>https://shop</url></webApp></target>
    <summary><resultsStatus>SUCCESSFUL</resultsStatus><authStatus>NONE</authStatus></summary>
    <stats><global><nbVulnsTotal>3</nbVulnsTotal><nbVulnsLevel5>1</nbVulnsLevel5><nbVulnsLevel3>2</nbVulnsLevel3></global></stats>
    <vulns><count>1</count><list><WasScanVuln><qid>150001</qid><title><![CDATA[XSS]]></title><uri>https://shop/q</uri>
      <instances><count>2</count><list><WasScanVulnInstance><authenticated>true</authenticated><payloads><count>1</count><list><WasScanVulnPayload><payload><![CDATA[<script>x</script>]]></payload><result base64="true">SFRUUC8xLjEgMjAw</result></WasScanVulnPayload></list></payloads></WasScanVulnInstance><WasScanVulnInstance><authenticated>false</authenticated></WasScanVulnInstance></list></instances>
    </WasScanVuln></list></vulns>
    <igs><count>1</count><list><WasScanIg><qid>45038</qid><title>IG</title><data base64="true">aGVsbG8gd29ybGQ</data></WasScanIg></list></igs></WasScan>`;
  it("XML: the root is <WasScan> itself, unwrapped; base64 without padding is decoded", async () => {
    const fake = scripted([res(200, xml, { "content-type": "application/xml" })]);
    const results = await client(fake.transport).was.scan.results(42);
    expect(results.scan).toMatchObject({
      id: 42,
      status: "FINISHED",
      resultsStatus: "SUCCESSFUL",
      webApp: { id: 5 },
    });
    expect(results.vulnsByLevel).toEqual([0, 0, 2, 0, 1]);
    expect(results.vulns[0]).toMatchObject({
      qid: 150001,
      title: "XSS",
      instances: [
        { authenticated: true, payloads: [{ payload: "<script>x</script>", result: "HTTP/1.1 200" }] },
        { authenticated: false, payloads: [] },
      ],
    });
    expect(results.igs[0]?.data).toBe("hello world");
  });

  it("JSON: wrapped in ServiceResponse.data[0], nested lists as {count, list:[{Elem:{}}]}", async () => {
    const json = JSON.stringify({
      ServiceResponse: {
        responseCode: "SUCCESS",
        count: 1,
        data: [
          {
            WasScan: {
              id: 43,
              status: "FINISHED",
              summary: { resultsStatus: "FINISHED" },
              stats: { global: { nbVulnsLevel4: "2" } },
              vulns: {
                count: 2,
                list: [
                  { WasScanVuln: { qid: 150002, title: "SQLi", severity: "4" } },
                  {
                    WasScanVuln: {
                      qid: 150003,
                      instances: {
                        count: 1,
                        list: [
                          {
                            WasScanVulnInstance: {
                              authenticated: false,
                              payloads: {
                                count: 1,
                                list: [
                                  {
                                    WasScanVulnPayload: { payload: "' OR 1=1--", result: "SFRUUC8xLjEgMjAw" },
                                  },
                                ],
                              },
                            },
                          },
                        ],
                      },
                    },
                  },
                ],
              },
            },
          },
        ],
      },
    });
    const fake = scripted([res(200, json, { "content-type": "application/json" })]);
    const results = await client(fake.transport).was.scan.results(43);
    expect(results.scan.resultsStatus).toBe("FINISHED");
    expect(results.vulnsByLevel).toEqual([0, 0, 0, 2, 0]);
    expect(results.vulns).toEqual([
      { qid: 150002, title: "SQLi", uri: undefined, param: undefined, severity: 4, instances: [] },
      {
        qid: 150003,
        title: undefined,
        uri: undefined,
        param: undefined,
        severity: undefined,
        // JSON has no base64="true" marker; the payload's result is base64 all the same.
        instances: [{ authenticated: false, payloads: [{ payload: "' OR 1=1--", result: "HTTP/1.1 200" }] }],
      },
    ]);
    expect(fake.requests[0]?.headers.Accept).toBe("application/json");
  });

  it("a cancel of a scan that is not running is a QualysApiError with the Qualys text, sent once", async () => {
    const body = serviceResponse("", { code: "INVALID_REQUEST" }).replace(
      "</ServiceResponse>",
      "<responseErrorDetails><errorMessage>Scan is not in a running state. Scan status: CANCELED</errorMessage></responseErrorDetails></ServiceResponse>",
    );
    const fake = scripted([res(200, body)]);
    const error = await client(fake.transport)
      .was.scan.cancel(9)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QualysApiError);
    expect((error as QualysApiError).text).toBe("Scan is not in a running state. Scan status: CANCELED");
  });
});

describe("VM scans (docs/qualys-api.md 4.3)", () => {
  it("launch reads the REFERENCE item; list and json_extended fetch are typed", async () => {
    const rows = [
      { username: "u", company: "ACME", result_date: "01/02/2026 10:00:00" },
      { status: "Finished", reference: "scan/1.2", total_hosts: "1" },
      {
        ip: "10.0.0.1",
        qid: 38173,
        title: "SSL",
        type: "Vuln",
        severity: "3",
        port: "443",
        protocol: "tcp",
        ssl: "yes",
        cve_id: "CVE-1, CVE-2",
        cvss_base: "5.0",
        pci_vuln: "no",
        results: null,
      },
      {
        ip: "10.0.0.1",
        qid: 6,
        title: "DNS",
        type: "Ig",
        severity: "1",
        port: null,
        protocol: null,
        ssl: "no",
        cve_id: null,
      },
      { target_distribution_across_scanner_appliances: "External : 10.0.0.1" },
    ];
    const fake = scripted([
      res(200, simpleReturn(undefined, "New vm scan launched", { ID: "99", REFERENCE: "scan/1.2" })),
      res(
        200,
        `<?xml version="1.0"?><!DOCTYPE SCAN_LIST_OUTPUT SYSTEM "x.dtd"><SCAN_LIST_OUTPUT><RESPONSE><SCAN_LIST><SCAN><REF>scan/1.2</REF><TYPE>API</TYPE><TITLE><![CDATA[gate]]></TITLE><PROCESSED>1</PROCESSED><STATUS><STATE>Finished</STATE></STATUS></SCAN></SCAN_LIST></RESPONSE></SCAN_LIST_OUTPUT><!-- generated -->`,
      ),
      res(200, JSON.stringify(rows), { "content-type": "application/json" }),
    ]);
    const c = client(fake.transport);
    expect(
      await c.vm.scans.launch({ scan_title: "gate", ip: "10.0.0.1", option_id: "7" }, "2026-01-01T00:00:00Z"),
    ).toBe("scan/1.2");
    expect(new URLSearchParams(fake.requests[0]?.body ?? "").get("action")).toBe("launch");
    expect(await c.vm.scans.list({ scan_ref: "scan/1.2" })).toEqual([
      expect.objectContaining({
        ref: "scan/1.2",
        state: "Finished",
        subState: undefined,
        title: "gate",
        processed: true,
      }),
    ]);
    const results = await c.vm.scans.results("scan/1.2");
    expect(new URLSearchParams(fake.requests[2]?.body ?? "").get("output_format")).toBe("json_extended");
    expect(results.header.company).toBe("ACME");
    expect(results.summary.reference).toBe("scan/1.2");
    expect(results.rows.map((r) => [r.qid, r.severity, r.type, r.ssl, r.cveIds])).toEqual([
      [38173, 3, "Vuln", true, ["CVE-1", "CVE-2"]],
      [6, 1, "Ig", false, []],
    ]);
    expect(results.notes.target_distribution_across_scanner_appliances).toBe("External : 10.0.0.1");
  });

  it("a scan without detections is [header, summary, notes]; an error answer is SIMPLE_RETURN XML", async () => {
    expect(toVmScanResults([{ a: "1" }, { status: "Finished" }, { note: "x" }])).toMatchObject({
      rows: [],
      notes: { note: "x" },
    });
    const fake = scripted([res(200, simpleReturn(1905, "parameter scan_ref has invalid value"))]);
    await expect(client(fake.transport).vm.scans.fetch("bad")).rejects.toBeInstanceOf(QualysApiError);
  });

  it("a json_extended body that is not an array is a retryable parse error", async () => {
    const fake = scripted([res(200, '{"oops":1}'), res(200, "[]")]);
    expect(await client(fake.transport).vm.scans.fetch("scan/1.2")).toEqual([]);
    expect(new QualysParseError("x", { method: "GET", url: "u" }, "").retryable).toBe(true);
  });
});

describe("KnowledgeBase (docs/qualys-api.md 4.6)", () => {
  const kb = (qids: number[], warningUrl?: string) =>
    `<?xml version="1.0"?><KNOWLEDGE_BASE_VULN_LIST_OUTPUT><RESPONSE><VULN_LIST>${qids
      .map(
        (q) =>
          `<VULN><QID>${q}</QID><SEVERITY_LEVEL>3</SEVERITY_LEVEL><TITLE><![CDATA[T${q}]]></TITLE><CVE_LIST><CVE><ID> CVE-2020-1 </ID></CVE></CVE_LIST><CVSS_V3><BASE>7.5</BASE></CVSS_V3></VULN>`,
      )
      .join("")}</VULN_LIST>${
      warningUrl
        ? `<WARNING><CODE>1980</CODE><TEXT>2 record limit exceeded. Use URL to get next batch of results.</TEXT><URL><![CDATA[${warningUrl}]]></URL></WARNING>`
        : ""
    }</RESPONSE></KNOWLEDGE_BASE_VULN_LIST_OUTPUT>`;

  it("sends ids in batches, filters as form fields, and follows WARNING 1980 URLs as is", async () => {
    const next = `${API}/api/2.0/fo/knowledge_base/vuln/?action=list&details=All&id_min=3`;
    const fake = scripted([res(200, kb([1, 2], next)), res(200, kb([3])), res(200, kb([4]))]);
    const vulns = await drain(
      client(fake.transport).kb.vulns({
        ids: [1, 2, 3, 4],
        batchSize: 3,
        lastModifiedAfter: "2026-01-01T00:00:00Z",
      }),
    );
    expect(vulns.map((v) => v.qid)).toEqual([1, 2, 3, 4]);
    expect(vulns[0]).toMatchObject({ severity: 3, title: "T1", cves: ["CVE-2020-1"], cvssV3: { base: 7.5 } });
    const form = new URLSearchParams(fake.requests[0]?.body ?? "");
    expect([form.get("ids"), form.get("details"), form.get("last_modified_after")]).toEqual([
      "1,2,3",
      "All",
      "2026-01-01T00:00:00Z",
    ]);
    expect(fake.requests[1]).toMatchObject({ method: "GET", url: next });
    expect(new URLSearchParams(fake.requests[2]?.body ?? "").get("ids")).toBe("4");
  });

  it("id_min/id_max, and a truncation URL to another host is refused", async () => {
    const fake = scripted([
      res(200, kb([5], "https://evil.example/api/2.0/fo/knowledge_base/vuln/?id_min=6")),
    ]);
    const c = client(fake.transport);
    await expect(drain(c.kb.list({ idMin: 5, idMax: 9 }))).rejects.toThrow(/evil\.example/);
    const form = new URLSearchParams(fake.requests[0]?.body ?? "");
    expect([form.get("id_min"), form.get("id_max")]).toEqual(["5", "9"]);
  });
});
