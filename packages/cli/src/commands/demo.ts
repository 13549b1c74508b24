import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { createQualysClient } from "@qualys-connector/client";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import type { Command } from "commander";
import { XMLParser } from "fast-xml-parser";
import { formatChecks, runDoctor } from "./doctor.js";

interface DemoFlags {
  out: string;
}

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

/**
 * `qualys-connector demo`: starts the simulator in-process and runs each job that exists against it.
 * Today that is a rehearsal of the pipeline paths the product's jobs take (WAS scan and results, WAS report,
 * VM scan with session login, KnowledgeBase, a scan cycle); later issues add doctor, the gates and sync.
 */
export function registerDemoCommand(program: Command): Command {
  return program
    .command("demo")
    .description("Start the Qualys API simulator in-process and run every job that exists against it.")
    .option("--out <dir>", "where to write the outputs", "qualys-demo")
    .action(async (flags: DemoFlags) => {
      const out = path.resolve(flags.out);
      await mkdir(out, { recursive: true });
      const sim = await startSimulator({
        scanDurationMs: 1500,
        reportDurationMs: 500,
        webapps: 10,
        findingsPerWebapp: 20,
      });
      try {
        await runDemo(sim, out);
      } finally {
        await sim.close();
      }
    });
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function runDemo(sim: RunningSimulator, out: string): Promise<void> {
  const api = new DemoApi(sim);
  say(`Qualys API simulator started at ${sim.url} (user ${sim.credentials.username})`);

  // doctor first: the same checks `qualys-connector doctor` runs.
  const client = createQualysClient({
    apiUrl: sim.url,
    auth: { kind: "session", username: sim.credentials.username, password: sim.credentials.password },
  });
  try {
    const checks = await runDoctor(client, [sim.credentials.password]);
    say(`[doctor] ${checks.filter((c) => c.ok).length}/${checks.length} checks passed`);
    for (const line of formatChecks(checks).split("\n")) say(`  ${line}`);
  } finally {
    await client.close();
  }

  const version = xml.parse(await api.text("GET", "/qps/rest/portal/version")) as Record<string, unknown>;
  const qweb = pathOf(version, "ServiceResponse.data.QWeb-Version") as Record<string, unknown> | undefined;
  const portal = pathOf(version, "ServiceResponse.data.Portal-Version") as
    | Record<string, unknown>
    | undefined;
  say(`[portal] WAS ${String(portal?.["WAS-VERSION"] ?? "?")}, VM ${String(qweb?.["WEB-VERSION"] ?? "?")}`);

  // WAS: find the scenario web app, scan it, download the results.
  const search = await api.qps("search/was/webapp", criteria("name", "EQUALS", "scenario-vulnerable"));
  const webAppId = String(pathOf(search, "ServiceResponse.data.WebApp.id") ?? "");
  const total = pathOf(await api.qps("count/was/webapp", ""), "ServiceResponse.count");
  say(`[was] ${String(total)} web apps; scanning scenario-vulnerable (id ${webAppId})`);
  const launch = await api.qps(
    "launch/was/wasscan",
    `<ServiceRequest><data><WasScan><name>demo_scan_${Date.now()}</name><type>VULNERABILITY</type><target><webApp><id>${webAppId}</id></webApp><webAppAuthRecord><isDefault>true</isDefault></webAppAuthRecord><scannerAppliance><type>EXTERNAL</type></scannerAppliance></target></WasScan></data></ServiceRequest>`,
  );
  const scanId = String(pathOf(launch, "ServiceResponse.data.WasScan.id") ?? "");
  let status = "";
  for (let i = 0; i < 60; i++) {
    const s = await api.qps(`status/was/wasscan/${scanId}`);
    status = String(pathOf(s, "ServiceResponse.data.WasScan.status") ?? "");
    if (["FINISHED", "ERROR", "CANCELED"].includes(status)) break;
    await sleep(250);
  }
  const downloadText = await api.text("GET", `/qps/rest/3.0/download/was/wasscan/${scanId}`);
  const scanFile = path.join(out, `was-scan-${scanId}.xml`);
  await writeFile(scanFile, downloadText);
  const global = pathOf(xml.parse(downloadText), "WasScan.stats.global") as
    | Record<string, unknown>
    | undefined;
  const bySeverity = [5, 4, 3, 2, 1]
    .map((n) => `sev${n}=${String(global?.[`nbVulnsLevel${n}`] ?? 0)}`)
    .join(" ");
  say(
    `[was] scan ${scanId} ended ${status}: ${String(global?.nbVulnsTotal ?? 0)} vulnerabilities (${bySeverity})`,
  );
  say(`[was] results written to ${scanFile}`);

  // WAS report: create, wait, download.
  const report = await api.qps(
    "create/was/report",
    `<ServiceRequest><data><Report><name>demo report</name><format>XML</format><type>WAS_SCAN_REPORT</type><config><scanReport><target><scans><WasScan><id>${scanId}</id></WasScan></scans></target></scanReport></config></Report></data></ServiceRequest>`,
  );
  const reportId = String(pathOf(report, "ServiceResponse.data.Report.id") ?? "");
  for (let i = 0; i < 60; i++) {
    const s = await api.qps(`status/was/report/${reportId}`);
    if (String(pathOf(s, "ServiceResponse.data.Report.status")) === "COMPLETE") break;
    await sleep(200);
  }
  const reportFile = path.join(out, `was-scan-report-${reportId}.xml`);
  await writeFile(reportFile, await api.text("GET", `/qps/rest/3.0/download/was/report/${reportId}`));
  say(`[report] WAS_SCAN_REPORT ${reportId} written to ${reportFile}`);

  // VM: session login, scan the vulnerable scenario host, fetch json_extended, log out.
  await api.v2Login();
  const vmLaunch = xml.parse(
    await api.v2("/api/2.0/fo/scan/", { action: "launch", scan_title: "demo_vm_scan", ip: "10.250.0.2" }),
  );
  const items = asList(pathOf(vmLaunch, "SIMPLE_RETURN.RESPONSE.ITEM_LIST.ITEM")) as {
    KEY?: string;
    VALUE?: string;
  }[];
  const ref = items.find((i) => i.KEY === "REFERENCE")?.VALUE ?? "";
  let state = "";
  for (let i = 0; i < 60; i++) {
    const list = xml.parse(await api.v2("/api/2.0/fo/scan/", { action: "list", scan_ref: ref }));
    state = String(pathOf(list, "SCAN_LIST_OUTPUT.RESPONSE.SCAN_LIST.SCAN.STATUS.STATE") ?? "");
    if (["Finished", "Error", "Canceled"].includes(state)) break;
    await sleep(250);
  }
  const fetched = await api.v2("/api/2.0/fo/scan/", {
    action: "fetch",
    scan_ref: ref,
    output_format: "json_extended",
  });
  const vmFile = path.join(out, `vm-scan-${ref.replace(/\W+/g, "_")}.json`);
  await writeFile(vmFile, fetched);
  const rows = (JSON.parse(fetched) as unknown[]).filter(
    (r) => typeof r === "object" && r !== null && "qid" in r,
  );
  say(`[vm] scan ${ref} on 10.250.0.2 ended ${state}: ${rows.length} detections, written to ${vmFile}`);
  await api.v2Logout();

  // KnowledgeBase: titles for the QIDs the VM scan found.
  const qids = [...new Set(rows.map((r) => String((r as { qid: unknown }).qid)))].slice(0, 50);
  const kb = xml.parse(
    await api.v2("/api/2.0/fo/knowledge_base/vuln/", { action: "list", details: "All", ids: qids.join(",") }),
  );
  const vulns = asList(pathOf(kb, "KNOWLEDGE_BASE_VULN_LIST_OUTPUT.RESPONSE.VULN_LIST.VULN"));
  say(`[kb] ${vulns.length} KnowledgeBase entries for ${qids.length} QIDs`);

  // Time passes: every web app and host is rescanned; findings change.
  await api.control("POST", "/__sim/scan-cycle");
  const findings = JSON.parse(await api.control("GET", "/__sim/ground-truth/findings")) as {
    status: string | null;
  }[];
  const byStatus = new Map<string, number>();
  for (const f of findings)
    byStatus.set(f.status ?? "(information)", (byStatus.get(f.status ?? "(information)") ?? 0) + 1);
  say(
    `[sim] after a scan cycle: ${findings.length} findings (${[...byStatus].map(([k, v]) => `${k} ${v}`).join(", ")})`,
  );
  const stats = JSON.parse(await api.control("GET", "/__sim/stats")) as { total: number };
  say(`[sim] ${stats.total} API calls made. Outputs are in ${out}`);
}

/** The few raw calls the demo makes until the client package exists. */
class DemoApi {
  private readonly authorization: string;
  private session: string | undefined;

  constructor(private readonly sim: RunningSimulator) {
    const { username, password } = sim.credentials;
    this.authorization = `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
  }

  async text(
    method: string,
    pathname: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<string> {
    const response = await fetch(`${this.sim.url}${pathname}`, {
      method,
      headers: { Authorization: this.authorization, ...headers },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${pathname} answered HTTP ${response.status}`);
    return text;
  }

  async qps(operation: string, body?: string): Promise<Record<string, unknown>> {
    const method = body === undefined ? "GET" : "POST";
    const text = await this.text(method, `/qps/rest/3.0/${operation}`, body, { "Content-Type": "text/xml" });
    const doc = xml.parse(text) as Record<string, unknown>;
    const code = pathOf(doc, "ServiceResponse.responseCode");
    if (code !== "SUCCESS") throw new Error(`${operation} answered ${String(code)}`);
    return doc;
  }

  async v2Login(): Promise<void> {
    const { username, password } = this.sim.credentials;
    const response = await fetch(`${this.sim.url}/api/2.0/fo/session/`, {
      method: "POST",
      headers: {
        "X-Requested-With": "qualys-connector demo",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ action: "login", username, password }).toString(),
    });
    await response.text();
    const cookie = response.headers.get("set-cookie") ?? "";
    this.session = /QualysSession=([^;]+)/.exec(cookie)?.[1];
    if (!response.ok || !this.session) throw new Error(`session login answered HTTP ${response.status}`);
  }

  async v2Logout(): Promise<void> {
    await this.v2("/api/2.0/fo/session/", { action: "logout" });
    this.session = undefined;
  }

  async v2(pathname: string, params: Record<string, string>): Promise<string> {
    const response = await fetch(`${this.sim.url}${pathname}`, {
      method: "POST",
      headers: {
        "X-Requested-With": "qualys-connector demo",
        "Content-Type": "application/x-www-form-urlencoded",
        ...(this.session
          ? { Cookie: `QualysSession=${this.session}` }
          : { Authorization: this.authorization }),
      },
      body: new URLSearchParams(params).toString(),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${pathname} action=${params.action} answered HTTP ${response.status}`);
    return text;
  }

  async control(method: string, pathname: string): Promise<string> {
    const response = await fetch(`${this.sim.url}${pathname}`, { method });
    return response.text();
  }
}

function criteria(field: string, operator: string, value: string): string {
  return `<ServiceRequest><filters><Criteria field="${field}" operator="${operator}">${value}</Criteria></filters></ServiceRequest>`;
}

function pathOf(doc: unknown, dotted: string): unknown {
  let node: unknown = doc;
  for (const key of dotted.split(".")) {
    if (Array.isArray(node)) node = node[0];
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
