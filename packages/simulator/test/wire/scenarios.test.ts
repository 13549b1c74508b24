/**
 * The scenario targets on the wire: every WAS and VM outcome a pipeline can meet, EC2 connector runs, KB
 * truncation chains and host detections, driven with plain HTTP against a fast-scanning simulator.
 */
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../../src/index.js";

const AUTH = `Basic ${Buffer.from("sim_user:sim-password").toString("base64")}`;
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  parseTagValue: false,
  isArray: (name) => ["ITEM", "VULN", "SCAN", "WasScan", "WebApp", "HOST", "DETECTION", "ID"].includes(name),
});

type Doc = Record<string, unknown>;

function get(doc: unknown, path: string): unknown {
  let node = doc;
  for (const key of path.split(".")) {
    if (Array.isArray(node)) node = node[0];
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Doc)[key];
  }
  return node;
}

async function qps(
  sim: RunningSimulator,
  operation: string,
  body?: string,
  accept = "application/xml",
): Promise<Doc> {
  const res = await fetch(`${sim.url}/qps/rest/${operation}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: AUTH, "Content-Type": "text/xml", Accept: accept },
    ...(body === undefined ? {} : { body }),
  });
  expect(res.status).toBe(200);
  const text = await res.text();
  return accept.includes("json") ? (JSON.parse(text) as Doc) : (xml.parse(text) as Doc);
}

async function v2(
  sim: RunningSimulator,
  path: string,
  params: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${sim.url}${path}`, {
    method: "POST",
    headers: {
      Authorization: AUTH,
      "X-Requested-With": "test",
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, text: await res.text() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("WAS scan scenarios", () => {
  let sim: RunningSimulator;
  const ids = new Map<string, string>();
  beforeAll(async () => {
    sim = await startSimulator({
      webapps: 2,
      findingsPerWebapp: 5,
      hosts: 1,
      kbSize: 300,
      scanDurationMs: 300,
    });
    const doc = await qps(
      sim,
      "3.0/search/was/webapp",
      '<ServiceRequest><filters><Criteria field="name" operator="CONTAINS">scenario-</Criteria></filters></ServiceRequest>',
    );
    for (const w of get(doc, "ServiceResponse.data.WebApp") as Doc[]) ids.set(String(w.name), String(w.id));
  });
  afterAll(async () => {
    await sim.close();
  });

  async function launch(name: string, extra = ""): Promise<string> {
    const doc = await qps(
      sim,
      "3.0/launch/was/wasscan",
      `<ServiceRequest><data><WasScan><name>t</name><type>VULNERABILITY</type><target><webApp><id>${ids.get(name)}</id></webApp>${extra}</target></WasScan></data></ServiceRequest>`,
    );
    expect(get(doc, "ServiceResponse.responseCode")).toBe("SUCCESS");
    return String(get(doc, "ServiceResponse.data.WasScan.id"));
  }

  async function waitFor(scanId: string): Promise<Doc> {
    for (let i = 0; i < 50; i++) {
      const s = await qps(sim, `3.0/status/was/wasscan/${scanId}`);
      if (["FINISHED", "ERROR", "CANCELED"].includes(String(get(s, "ServiceResponse.data.WasScan.status"))))
        return s;
      await sleep(50);
    }
    throw new Error("scan did not end");
  }

  it.each([
    ["scenario-clean", "FINISHED", "FINISHED"],
    ["scenario-vulnerable", "FINISHED", "FINISHED"],
    ["scenario-error", "ERROR", "SCAN_INTERNAL_ERROR"],
    ["scenario-canceled", "CANCELED", "CANCELED"],
    ["scenario-no-host", "FINISHED", "NO_HOST_ALIVE"],
    ["scenario-time-limit", "FINISHED", "TIME_LIMIT_EXCEEDED"],
  ])("%s ends %s with results status %s", async (name, status, resultsStatus) => {
    const scanId = await launch(name);
    const s = await waitFor(scanId);
    expect(get(s, "ServiceResponse.data.WasScan.status")).toBe(status);
    expect(get(s, "ServiceResponse.data.WasScan.summary.resultsStatus")).toBe(resultsStatus);
  });

  it("the vulnerable web app's download has every severity; XML is unwrapped, JSON wrapped", async () => {
    const scanId = await launch(
      "scenario-vulnerable",
      "<webAppAuthRecord><isDefault>true</isDefault></webAppAuthRecord>",
    );
    await waitFor(scanId);
    const res = await fetch(`${sim.url}/qps/rest/3.0/download/was/wasscan/${scanId}`, {
      headers: { Authorization: AUTH },
    });
    const text = await res.text();
    expect(text).toMatch(/^<\?xml[^>]*>\s*<WasScan>/);
    const doc = xml.parse(text) as Doc;
    for (const level of [1, 2, 3, 4, 5]) {
      expect(Number(get(doc, `WasScan.stats.global.nbVulnsLevel${level}`)), `level ${level}`).toBeGreaterThan(
        0,
      );
    }
    const vulns = get(doc, "WasScan.vulns.list.WasScanVuln");
    expect(Array.isArray(vulns) ? vulns.length : 1).toBeGreaterThan(0);
    expect(text).toContain('base64="true"');
    const json = await qps(sim, `3.0/download/was/wasscan/${scanId}`, undefined, "application/json");
    expect(get(json, "ServiceResponse.data")).toBeInstanceOf(Array);
    expect(get(json, "ServiceResponse.data.WasScan.stats.global.nbVulnsTotal")).toBeGreaterThan(0);
  });

  it("scenario-clean's download has no vulnerabilities", async () => {
    const scanId = await launch("scenario-clean");
    await waitFor(scanId);
    const doc = await qps(sim, `3.0/download/was/wasscan/${scanId}`);
    expect(get(doc, "WasScan.stats.global.nbVulnsTotal")).toBe("0");
  });

  it("scenario-slow stays RUNNING until cancelled; cancelling again gives the real error text", async () => {
    const scanId = await launch("scenario-slow");
    await sleep(500);
    const s = await qps(sim, `3.0/status/was/wasscan/${scanId}`);
    expect(get(s, "ServiceResponse.data.WasScan.status")).toBe("RUNNING");
    const cancel = await qps(sim, `3.0/cancel/was/wasscan/${scanId}`, "");
    expect(get(cancel, "ServiceResponse.responseCode")).toBe("SUCCESS");
    const again = await qps(sim, `3.0/cancel/was/wasscan/${scanId}`, "");
    expect(get(again, "ServiceResponse.responseErrorDetails.errorMessage")).toBe(
      "Scan is not in a running state. Scan status: CANCELED",
    );
  });

  it("scenario-running always has a running scan, even after it is cancelled", async () => {
    const search = () =>
      qps(
        sim,
        "3.0/search/was/wasscan",
        `<ServiceRequest><filters><Criteria field="webApp.id" operator="EQUALS">${ids.get("scenario-running")}</Criteria><Criteria field="status" operator="EQUALS">RUNNING</Criteria></filters></ServiceRequest>`,
      );
    const running = get(await search(), "ServiceResponse.data.WasScan") as Doc[];
    expect(running).toHaveLength(1);
    await qps(sim, `3.0/cancel/was/wasscan/${String(running[0]?.id)}`, "");
    const next = get(await search(), "ServiceResponse.data.WasScan") as Doc[];
    expect(next).toHaveLength(1);
    expect(next[0]?.id).not.toBe(running[0]?.id);
  });

  it("refuses a launch on an unknown web app and an over-long name", async () => {
    const unknown = await qps(
      sim,
      "3.0/launch/was/wasscan",
      "<ServiceRequest><data><WasScan><name>t</name><target><webApp><id>42</id></webApp></target></WasScan></data></ServiceRequest>",
    );
    expect(get(unknown, "ServiceResponse.responseCode")).toBe("NOT_FOUND");
    const long = await qps(
      sim,
      "3.0/launch/was/wasscan",
      `<ServiceRequest><data><WasScan><name>${"x".repeat(257)}</name><target><webApp><id>${ids.get("scenario-clean")}</id></webApp></target></WasScan></data></ServiceRequest>`,
    );
    expect(get(long, "ServiceResponse.responseCode")).toBe("INVALID_REQUEST");
  });

  it("allows limitResults from 1 to 1000 and refuses anything else", async () => {
    const page = (limit: string) =>
      qps(
        sim,
        "3.0/search/was/finding",
        `<ServiceRequest><preferences><limitResults>${limit}</limitResults></preferences></ServiceRequest>`,
      );
    expect(get(await page("1000"), "ServiceResponse.responseCode")).toBe("SUCCESS");
    for (const bad of ["0", "1001", "ten"]) {
      const doc = await page(bad);
      expect(get(doc, "ServiceResponse.responseCode"), bad).toBe("INVALID_REQUEST");
    }
  });

  it("accepts JSON requests and answers JSON, independently chosen", async () => {
    const res = await fetch(`${sim.url}/qps/rest/3.0/search/was/webapp`, {
      method: "POST",
      headers: { Authorization: AUTH, "Content-Type": "application/json" },
      body: JSON.stringify({
        ServiceRequest: {
          filters: { Criteria: [{ field: "name", operator: "EQUALS", value: "scenario-clean" }] },
        },
      }),
    });
    const text = await res.text();
    expect(text).toContain("<name><![CDATA[scenario-clean]]></name>");
  });

  it("every filter operator works on web apps", async () => {
    const countOf = async (criteria: string) =>
      Number(
        get(
          await qps(
            sim,
            "3.0/count/was/webapp",
            `<ServiceRequest><filters>${criteria}</filters></ServiceRequest>`,
          ),
          "ServiceResponse.count",
        ),
      );
    const all = await countOf("");
    const clean = ids.get("scenario-clean");
    expect(await countOf(`<Criteria field="id" operator="EQUALS">${clean}</Criteria>`)).toBe(1);
    expect(await countOf(`<Criteria field="id" operator="NOT EQUALS">${clean}</Criteria>`)).toBe(all - 1);
    expect(
      await countOf(`<Criteria field="id" operator="IN">${clean},${ids.get("scenario-error")}</Criteria>`),
    ).toBe(2);
    expect(await countOf(`<Criteria field="id" operator="GREATER">${clean}</Criteria>`)).toBe(all - 1);
    expect(
      await countOf(`<Criteria field="id" operator="LESSER">${ids.get("scenario-error")}</Criteria>`),
    ).toBe(2);
    expect(await countOf(`<Criteria field="name" operator="CONTAINS">scenario</Criteria>`)).toBe(8);
    expect(
      await countOf(`<Criteria field="createdDate" operator="GREATER">2000-01-01T00:00:00Z</Criteria>`),
    ).toBe(all);
    expect(
      await countOf(`<Criteria field="createdDate" operator="LESSER">2000-01-01T00:00:00Z</Criteria>`),
    ).toBe(0);
    const none = await countOf(`<Criteria field="tags.id" operator="NONE"></Criteria>`);
    const some = all - none;
    expect(none + some).toBe(all);
    const bad = await qps(
      sim,
      "3.0/count/was/webapp",
      `<ServiceRequest><filters><Criteria field="id" operator="CONTAINS">1</Criteria></filters></ServiceRequest>`,
    );
    expect(get(bad, "ServiceResponse.responseCode")).toBe("INVALID_REQUEST");
  });
});

describe("WAS scan downloads agree with themselves", () => {
  // The default subscription (seed 1): its vulnerable web app has an authentication record, and the findings that
  // appear scan after scan soon repeat a QID, URL and parameter already found, so the vulnerability list groups
  // two result items into one entry with two instances.
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ scanDurationMs: 50 });
  });
  afterAll(async () => {
    await sim.close();
  });

  async function scanAndDownload(authRecord: string): Promise<{ status: Doc; text: string }> {
    const launched = await qps(
      sim,
      "3.0/launch/was/wasscan",
      `<ServiceRequest><data><WasScan><name>t</name><type>VULNERABILITY</type><target><webApp><id>1000002</id></webApp>${authRecord}</target></WasScan></data></ServiceRequest>`,
    );
    const scanId = String(get(launched, "ServiceResponse.data.WasScan.id"));
    for (let i = 0; i < 100; i++) {
      const status = await qps(sim, `3.0/status/was/wasscan/${scanId}`);
      if (get(status, "ServiceResponse.data.WasScan.status") === "FINISHED") {
        const res = await fetch(`${sim.url}/qps/rest/3.0/download/was/wasscan/${scanId}`, {
          headers: { Authorization: AUTH },
        });
        return { status, text: await res.text() };
      }
      await sleep(20);
    }
    throw new Error(`scan ${scanId} did not finish`);
  }

  it("scan statistics count the vulnerabilities the list shows (one per QID, URI and parameter), by severity", async () => {
    let grouped = 0;
    for (let run = 0; run < 10 && grouped === 0; run++) {
      const { text } = await scanAndDownload("");
      const doc = xml.parse(text) as Doc;
      const listed = get(doc, "WasScan.vulns.list.WasScanVuln");
      const vulns = (Array.isArray(listed) ? listed : [listed]) as Doc[];
      expect(Number(get(doc, "WasScan.stats.global.nbVulnsTotal"))).toBe(vulns.length);
      for (const level of [1, 2, 3, 4, 5]) {
        const inList = vulns.filter((v) => Number(v.severity) === level).length;
        expect(Number(get(doc, `WasScan.stats.global.nbVulnsLevel${level}`)), `level ${level}`).toBe(inList);
      }
      grouped = vulns.filter((v) => Number(get(v, "instances.count")) > 1).length;
    }
    // The case that matters was met: an entry of the list stood for more than one result item.
    expect(grouped).toBeGreaterThan(0);
  });

  it("without an authentication record the scan says authStatus NONE and no instance says authenticated", async () => {
    const withRecord = await scanAndDownload(
      "<webAppAuthRecord><isDefault>true</isDefault></webAppAuthRecord>",
    );
    expect(get(withRecord.status, "ServiceResponse.data.WasScan.summary.authStatus")).toBe("SUCCESSFUL");
    expect(withRecord.text).toContain("<authenticated>true</authenticated>");

    const without = await scanAndDownload("");
    expect(get(without.status, "ServiceResponse.data.WasScan.summary.authStatus")).toBe("NONE");
    expect(without.text).toContain("<authenticated>false</authenticated>");
    expect(without.text).not.toContain("<authenticated>true</authenticated>");
  });
});

describe("VM scan scenarios, KB and EC2", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      webapps: 1,
      findingsPerWebapp: 2,
      hosts: 2,
      kbSize: 2500,
      scanDurationMs: 300,
      connectorRunMs: 200,
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  async function launch(params: Record<string, string>): Promise<string> {
    const res = await v2(sim, "/api/2.0/fo/scan/", { action: "launch", scan_title: "t", ...params });
    expect(res.status, res.text).toBe(200);
    const items = get(xml.parse(res.text), "SIMPLE_RETURN.RESPONSE.ITEM_LIST.ITEM") as {
      KEY: string;
      VALUE: string;
    }[];
    return items.find((i) => i.KEY === "REFERENCE")?.VALUE ?? "";
  }

  async function stateOf(ref: string): Promise<{ state: string; subState: string | undefined }> {
    const res = await v2(sim, "/api/2.0/fo/scan/", { action: "list", scan_ref: ref });
    const scan = get(xml.parse(res.text), "SCAN_LIST_OUTPUT.RESPONSE.SCAN_LIST.SCAN.STATUS") as Doc;
    return {
      state: String(scan.STATE),
      subState: scan.SUB_STATE === undefined ? undefined : String(scan.SUB_STATE),
    };
  }

  async function waitFor(ref: string) {
    for (let i = 0; i < 50; i++) {
      const s = await stateOf(ref);
      if (["Finished", "Error", "Canceled"].includes(s.state)) return s;
      await sleep(50);
    }
    throw new Error("scan did not end");
  }

  it.each([
    ["10.250.0.1", "Finished", "No_Vuln"],
    ["10.250.0.2", "Finished", undefined],
    ["10.250.0.3", "Finished", "No_Host"],
    ["10.250.0.4", "Error", undefined],
  ])("host %s ends %s (%s)", async (ip, state, subState) => {
    const ref = await launch({ ip });
    expect(await waitFor(ref)).toEqual({ state, subState });
  });

  it("the vulnerable host's json_extended fetch has every severity, confirmed and potential, with CVEs and CVSS", async () => {
    const ref = await launch({ ip: "10.250.0.2", option_title: "Initial Options" });
    await waitFor(ref);
    const res = await v2(sim, "/api/2.0/fo/scan/", {
      action: "fetch",
      scan_ref: ref,
      output_format: "json_extended",
    });
    const body = JSON.parse(res.text) as Doc[];
    expect(body[0]).toHaveProperty("scan_report_template_title");
    expect(body[1]).toMatchObject({ reference: ref, status: "Finished" });
    expect(body.at(-1)).toHaveProperty("hosts_not_scanned_host_not_alive_ip");
    const rows = body.slice(2, -1) as {
      type: string;
      severity: string;
      cve_id: string | null;
      cvss3_base: string | null;
      pci_vuln: string;
    }[];
    for (const severity of ["1", "2", "3", "4", "5"]) {
      expect(rows.some((r) => r.type === "Vuln" && r.severity === severity)).toBe(true);
      expect(rows.some((r) => r.type === "Practice" && r.severity === severity)).toBe(true);
    }
    expect(rows.some((r) => r.cve_id !== null && r.cvss3_base !== null)).toBe(true);
    expect(rows.some((r) => r.pci_vuln === "yes")).toBe(true);
    expect(rows.some((r) => r.type === "Ig")).toBe(true);
  });

  it("the slow host stays Running until cancelled; fetching an unfinished scan is refused", async () => {
    const ref = await launch({ ip: "10.250.0.5" });
    await sleep(500);
    expect((await stateOf(ref)).state).toBe("Running");
    const early = await v2(sim, "/api/2.0/fo/scan/", {
      action: "fetch",
      scan_ref: ref,
      output_format: "json_extended",
    });
    expect(early.status).toBe(409);
    const cancel = await v2(sim, "/api/2.0/fo/scan/", { action: "cancel", scan_ref: ref });
    expect(cancel.text).toContain("Cancelling scan");
    expect((await stateOf(ref)).state).toBe("Canceled");
  });

  it("refuses unknown option profiles, scanners and IPs with SIMPLE_RETURN codes", async () => {
    const profile = await v2(sim, "/api/2.0/fo/scan/", {
      action: "launch",
      ip: "10.250.0.1",
      option_title: "Nope",
    });
    expect(profile.status).toBe(400);
    expect(profile.text).toContain("<CODE>1905</CODE>");
    const scanner = await v2(sim, "/api/2.0/fo/scan/", {
      action: "launch",
      ip: "10.250.0.1",
      iscanner_name: "nope",
    });
    expect(scanner.text).toContain("<CODE>1905</CODE>");
    const ip = await v2(sim, "/api/2.0/fo/scan/", { action: "launch", ip: "192.0.2.1" });
    expect(ip.text).toContain("not in your subscription");
    const target = await v2(sim, "/api/2.0/fo/scan/", { action: "launch" });
    expect(target.text).toContain("<CODE>1922</CODE>");
  });

  it("runs EC2 connectors: success, disabled, errors; scans EC2 instances", async () => {
    const connectors = await qps(
      sim,
      "2.0/search/am/awsassetdataconnector",
      "<ServiceRequest></ServiceRequest>",
    );
    const list = get(connectors, "ServiceResponse.data") as Doc;
    const byName = new Map(
      (Array.isArray(list.AwsAssetDataConnector)
        ? list.AwsAssetDataConnector
        : [list.AwsAssetDataConnector]
      ).map((c: Doc) => [String(c.name), String(c.id)]),
    );
    const runAndWait = async (name: string) => {
      const id = byName.get(name);
      const run = await qps(sim, `2.0/run/am/assetdataconnector/${id}`, "");
      let state = String(get(run, "ServiceResponse.data.AwsAssetDataConnector.connectorState"));
      for (let i = 0; i < 30 && ["QUEUED", "RUNNING", "PROCESSING"].includes(state); i++) {
        await sleep(50);
        state = String(
          get(
            await qps(sim, `2.0/get/am/assetdataconnector/${id}`),
            "ServiceResponse.data.AssetDataConnector.connectorState",
          ),
        );
      }
      return state;
    };
    expect(await runAndWait("scenario-ec2")).toBe("FINISHED_SUCCESS");
    expect(await runAndWait("scenario-ec2-disabled")).toBe("DISABLED");
    expect(await runAndWait("scenario-ec2-error")).toBe("FINISHED_ERRORS");
    const asset = await qps(
      sim,
      "2.0/search/am/hostasset",
      '<ServiceRequest><filters><Criteria field="instanceId" operator="EQUALS">i-000000000000stopped</Criteria></filters></ServiceRequest>',
    );
    expect(
      get(asset, "ServiceResponse.data.HostAsset.sourceInfo.list.Ec2AssetSourceSimple.instanceState"),
    ).toBe("STOPPED");
    const ref = await launch({
      ec2_instance_ids: "i-00000000000000vuln",
      connector_name: "scenario-ec2",
      ec2_endpoint: "us-east-1",
    });
    expect((await waitFor(ref)).state).toBe("Finished");
    const stopped = await v2(sim, "/api/2.0/fo/scan/", {
      action: "launch",
      ec2_instance_ids: "i-000000000000stopped",
      connector_name: "scenario-ec2",
      ec2_endpoint: "us-east-1",
    });
    expect(stopped.text).toContain("STOPPED");
  });

  it("KB truncation: following WARNING 1980 URLs returns every QID exactly once", async () => {
    const truth = ((await (await fetch(`${sim.url}/__sim/ground-truth/kb`)).json()) as { qid: number }[]).map(
      (v) => v.qid,
    );
    const seen: number[] = [];
    let url: string | undefined = `${sim.url}/api/2.0/fo/knowledge_base/vuln/?action=list&details=None`;
    let pages = 0;
    while (url) {
      const res = await fetch(url, { headers: { Authorization: AUTH, "X-Requested-With": "test" } });
      const doc = xml.parse(await res.text());
      const idsOnPage = (get(doc, "KNOWLEDGE_BASE_VULN_LIST_OUTPUT.RESPONSE.ID_SET.ID") as string[]).map(
        Number,
      );
      seen.push(...idsOnPage);
      const warning = get(doc, "KNOWLEDGE_BASE_VULN_LIST_OUTPUT.RESPONSE.WARNING") as Doc | undefined;
      if (warning) expect(String(warning.CODE)).toBe("1980");
      url = warning ? String(warning.URL) : undefined;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(truth);
  });

  it("KB filters: ids with ranges, details All with CVSS, last_modified_after", async () => {
    const kb = (await (await fetch(`${sim.url}/__sim/ground-truth/kb`)).json()) as {
      qid: number;
      lastServiceModificationDate: string;
    }[];
    const [a, b, c] = kb;
    const res = await v2(sim, "/api/2.0/fo/knowledge_base/vuln/", {
      action: "list",
      ids: `${a?.qid},${b?.qid}-${c?.qid}`,
      details: "All",
    });
    const vulns = get(
      xml.parse(res.text),
      "KNOWLEDGE_BASE_VULN_LIST_OUTPUT.RESPONSE.VULN_LIST.VULN",
    ) as Doc[];
    expect(vulns.map((v) => Number(v.QID))).toEqual([a?.qid, b?.qid, c?.qid]);
    const newest =
      kb
        .map((v) => v.lastServiceModificationDate)
        .sort()
        .at(-1) ?? "";
    const recent = await v2(sim, "/api/2.0/fo/knowledge_base/vuln/", {
      action: "list",
      details: "None",
      last_modified_after: newest,
    });
    const recentIds = get(
      xml.parse(recent.text),
      "KNOWLEDGE_BASE_VULN_LIST_OUTPUT.RESPONSE.ID_SET.ID",
    ) as string[];
    expect(recentIds.length).toBeGreaterThanOrEqual(1);
    expect(recentIds.length).toBeLessThan(kb.length);
  });

  it("lists option profiles, appliances, networks and host detections; /msp/about.php answers", async () => {
    expect((await v2(sim, "/api/2.0/fo/subscription/option_profile/vm/", { action: "list" })).text).toContain(
      "<GROUP_NAME><![CDATA[Initial Options]]></GROUP_NAME>",
    );
    expect((await v2(sim, "/api/2.0/fo/appliance/", { action: "list", output_mode: "full" })).text).toContain(
      "scanner-dc1",
    );
    expect((await v2(sim, "/api/2.0/fo/network/", { action: "list" })).text).toContain(
      "Global Default Network",
    );
    const detections = await v2(sim, "/api/2.0/fo/asset/host/vm/detection/", {
      action: "list",
      show_igs: "1",
      truncation_limit: "2",
    });
    expect(detections.text).toContain("<CODE>1980</CODE>");
    const about = await fetch(`${sim.url}/msp/about.php`, { headers: { Authorization: AUTH } });
    expect(await about.text()).toContain("<WEB-VERSION>");
  });
});
