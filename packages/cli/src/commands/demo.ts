import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  createDispatcher,
  createQualysClient,
  type QualysClient,
  systemClock,
  undiciTransport,
} from "@qualys-connector/client";
import {
  countCalls,
  detectCi,
  type GateResult,
  normalizePolicy,
  redactGateResult,
  renderScanName,
  runVmGate,
  runWasGate,
  vmGateApi,
  wasGateApi,
  writeGateOutputs,
} from "@qualys-connector/gate";
import { readReport } from "@qualys-connector/reports";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { openStore, type Store, type StoredObject, type SubscriptionKey } from "@qualys-connector/store";
import {
  type ImportReportResult,
  importReport,
  pullReports,
  runSync,
  type SyncReport,
} from "@qualys-connector/sync";
import type { Command } from "commander";
import { printLine } from "../log.js";
import { flagOf } from "../option-flags.js";
import { TOOL } from "../version.js";
import { formatChecks, type ObservedAnswer, observingTransport, runDoctor } from "./doctor.js";
import { type GateRecorderContext, gateRunInput } from "./record-gate-run.js";

interface DemoFlags {
  out: string;
}

/**
 * `qualys-connector demo`: starts the simulator in-process and runs each job that exists against it: doctor, the
 * WAS scan gate on a passing and a failing web app, a WAS report, the VM host scan gate with session login, the
 * KnowledgeBase, the WAS data sync into a SQLite file, a scan cycle and an incremental sync, then the import of the
 * WAS_SCAN_REPORT it downloaded and a pull of a WAS_WEBAPP_REPORT into the same store.
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
      const answers: ObservedAnswer[] = [];
      const client = createQualysClient({
        apiUrl: sim.url,
        auth: { kind: "session", username: sim.credentials.username, password: sim.credentials.password },
        transport: observingTransport(undiciTransport(createDispatcher({})), answers),
      });
      try {
        await runDemo(sim, client, out, answers);
      } finally {
        await client.close();
        await sim.close();
      }
    });
}

function say(line: string): void {
  printLine(line);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runDemo(
  sim: RunningSimulator,
  client: QualysClient,
  out: string,
  answers: readonly ObservedAnswer[],
): Promise<void> {
  say(`Qualys API simulator started at ${sim.url} (user ${sim.credentials.username})`);

  const checks = await runDoctor(client, [sim.credentials.password], { answers });
  say(`[doctor] ${checks.filter((c) => c.ok).length}/${checks.length} checks passed`);
  for (const line of formatChecks(checks).split("\n")) say(`  ${line}`);

  // WAS scan gate: the same policy on a clean and a vulnerable web app: one passes, one fails.
  const policy = normalizePolicy({ maxSeverityCount: "5=0,4=2", failOnQids: "150263" }, undefined);
  say(
    `[was] ${await client.was.webApps.count()} web apps; gating two with --max-severity-count 5=0,4=2 --fail-on-qids 150263`,
  );
  let scanId = 0;
  // The gate runs, recorded in the demo database once it is open, as `scan was --db` and `scan vm --db` would.
  const gateRuns: { context: GateRecorderContext; result: GateResult; startedAt: string }[] = [];
  for (const webApp of ["scenario-clean", "scenario-vulnerable"]) {
    const startedAt = new Date().toISOString();
    const apiCalls: Record<string, number> = {};
    const api = wasGateApi(client, countCalls(apiCalls));
    const result = await runWasGate(
      api,
      {
        webApp,
        scanName: renderScanName("{pipeline}_demo_build_{build}", detectCi({}), new Date()),
        type: "VULNERABILITY",
        authRecord: "none",
        scanner: { type: "EXTERNAL" },
        pollIntervalMs: 500,
        timeoutMs: 60_000,
        onTimeout: "cancel",
        onRunning: "attach",
        maxPollFailures: 5,
        clock: systemClock,
        tool: TOOL,
        optionName: flagOf,
      },
      policy,
      undefined,
      apiCalls,
    );
    if ("kind" in result) throw new Error("the demo gate unexpectedly returned without waiting");
    const dir = path.join(out, `was-gate-${webApp}`);
    writeGateOutputs(result, dir);
    gateRuns.push({ context: { command: "scan was", kind: "was", targetKey: webApp }, result, startedAt });
    scanId = Number(result.scan?.id ?? 0);
    say(`[was-gate] ${webApp}: exit ${result.exitCode}, ${result.reason}`);
    say(`[was-gate]   outputs in ${dir} (result.json, junit.xml, results.sarif, summary.md, report.html)`);
  }

  // WAS report: create, wait, download.
  const reportId = await client.was.report.create({
    name: "demo report",
    type: "WAS_SCAN_REPORT",
    format: "XML",
    targetIds: [scanId],
  });
  for (let i = 0; i < 60 && (await client.was.report.status(reportId)) !== "COMPLETE"; i++) await sleep(200);
  const report = await client.was.report.download(reportId);
  // Our own file name: a name from a server header is not trusted with a path.
  const reportFile = path.join(out, `was-scan-report-${reportId}.xml`);
  await writeFile(reportFile, report.body);
  say(`[report] WAS_SCAN_REPORT ${reportId} written to ${reportFile}`);

  // VM host scan gate: the vulnerable scenario host, the VM criteria; session login.
  const vmPolicy = normalizePolicy(
    { minSeverity: "4", failOnPci: true, excludeCves: "CVE-2017-1000116, CVE-2018-2771" },
    undefined,
  );
  const vmCalls: Record<string, number> = {};
  const vmStartedAt = new Date().toISOString();
  const vmResult = await runVmGate(
    vmGateApi(client, countCalls(vmCalls)),
    {
      ips: ["10.250.0.2"],
      scanName: renderScanName("{pipeline}_demo_build_{build}", detectCi({}), new Date()),
      scanner: { kind: "external" },
      pollIntervalMs: 500,
      timeoutMs: 60_000,
      onTimeout: "cancel",
      maxPollFailures: 5,
      clock: systemClock,
      tool: TOOL,
      optionName: flagOf,
    },
    vmPolicy,
    undefined,
    vmCalls,
  );
  if ("kind" in vmResult) throw new Error("the demo VM gate unexpectedly returned without waiting");
  const vmDir = path.join(out, "vm-gate-10.250.0.2");
  writeGateOutputs(vmResult, vmDir);
  gateRuns.push({
    context: { command: "scan vm", kind: "vm", targetKey: "10.250.0.2" },
    result: vmResult,
    startedAt: vmStartedAt,
  });
  say(`[vm-gate] 10.250.0.2 --min-severity 4 --fail-on-pci: exit ${vmResult.exitCode}, ${vmResult.reason}`);
  say(`[vm-gate]   outputs in ${vmDir}`);

  // KnowledgeBase: entries for the QIDs the VM scan found.
  const qids = [...new Set(vmResult.findings.map((f) => f.qid))];
  let kbEntries = 0;
  for await (const _ of client.kb.list({ ids: qids, details: "All" })) kbEntries++;
  say(`[kb] ${kbEntries} KnowledgeBase entries for ${qids.length} QIDs`);

  // WAS data sync: everything into a SQLite file, then, after the scan cycle below, incrementally.
  const dbPath = `${out}.db`;
  const store = await openStore(`sqlite:${dbPath}`);
  await store.migrate();
  const syncOptions = {
    subscription: { apiUrl: sim.url, username: sim.credentials.username },
    objects: ["webapps", "findings", "definitions"] as StoredObject[],
    full: false,
    filters: {},
    pageSize: 100,
  };
  const describeSync = (report: SyncReport) =>
    report.streams
      .map((s) => `${s.stream} +${s.added} ~${s.updated} =${s.unchanged} (${s.apiCalls} calls)`)
      .join(", ");
  try {
    const subscriptionId = await store.subscription(syncOptions.subscription);
    for (const run of gateRuns)
      await store.recordGateRun(
        gateRunInput(redactGateResult(run.result, [sim.credentials.password]), run.context, {
          subscriptionId,
          startedAt: run.startedAt,
        }),
      );
    say(`[gate-runs] ${gateRuns.length} gate runs recorded in ${dbPath}, as scan was/vm --db would`);
    say(`[sync] first sync into ${dbPath}: ${describeSync(await runSync(client, store, syncOptions))}`);
    // Time passes: every web app and host is rescanned; findings change.
    await fetch(`${sim.url}/__sim/scan-cycle`, { method: "POST" });
    const findings = (await (await fetch(`${sim.url}/__sim/ground-truth/findings`)).json()) as {
      status: string | null;
    }[];
    const byStatus = new Map<string, number>();
    for (const f of findings)
      byStatus.set(f.status ?? "(information)", (byStatus.get(f.status ?? "(information)") ?? 0) + 1);
    say(
      `[sim] after a scan cycle: ${findings.length} findings (${[...byStatus].map(([k, v]) => `${k} ${v}`).join(", ")})`,
    );
    say(
      `[sync] incremental sync after the scan cycle: ${describeSync(await runSync(client, store, syncOptions))}`,
    );
    await importDemoReports(client, store, syncOptions.subscription, reportFile);
  } finally {
    await store.close();
  }
  const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { total: number };
  say(`[sim] ${stats.total} API calls made. Outputs are in ${out} and ${dbPath}`);
  say(`[dashboard] see them in a browser: qualys-connector dashboard --db ${dbPath}`);
}

/** What the import did to the stored findings, and how many of them were rows the sync had stored already. */
function describeImport(result: ImportReportResult): string {
  const f = result.counts.findings;
  const total = f.added + f.updated + f.unchanged;
  return `${result.provenance.webAppIds.length} web apps, ${total} findings: +${f.added} ~${f.updated} =${f.unchanged}; ${f.updated + f.unchanged} merged with synced rows`;
}

/**
 * Report ingestion into the synced store: the WAS_SCAN_REPORT the demo downloaded, imported from its file, and a
 * WAS_WEBAPP_REPORT created for the vulnerable web app and pulled (downloaded and imported streamed, then deleted).
 */
async function importDemoReports(
  client: QualysClient,
  store: Store,
  subscription: SubscriptionKey,
  reportFile: string,
): Promise<void> {
  const subscriptionId = await store.subscription(subscription);
  const scanImport = await importReport(store, readReport({ path: reportFile }), { subscriptionId });
  say(`[import] ${path.basename(reportFile)} (${scanImport.provenance.kind}): ${describeImport(scanImport)}`);

  const webAppIds: number[] = [];
  for await (const app of client.was.webApps.list({
    criteria: [{ field: "name", operator: "EQUALS", value: "scenario-vulnerable" }],
  }))
    webAppIds.push(app.id);
  const pull = await pullReports(client, store, {
    subscription,
    titlePrefix: "demo ",
    createdSince: new Date(Date.now() - 30 * 86_400_000).toISOString(),
    create: { webAppIds },
    pollIntervalMs: 200,
  });
  for (const pulled of pull.pulled) {
    if (pulled.outcome === "failed")
      say(`[pull-reports] report ${pulled.report.id}: failed: ${pulled.error}`);
    else
      say(
        `[pull-reports] WAS_WEBAPP_REPORT ${pulled.report.id} "${pulled.report.name ?? ""}": ${describeImport(pulled.result)}`,
      );
  }
  if (pull.created?.deleted)
    say(`[pull-reports] report ${pull.created.reportId} was created for the pull and deleted after it`);
}
