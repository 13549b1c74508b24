/**
 * How the subscription changes when scans finish, like a real one: findings are re-detected (NEW becomes
 * ACTIVE), fixed, reopened, newly found or ignored; dates move; web apps are added and updated; KB entries are
 * revised. Every change stamps `updatedDate` with the current time so incremental readers can find it.
 */
import type { SimFinding, SimScanResultItem, SimVmScan, SimWasScan, SimWebApp } from "../model.js";
import type { ResolvedOptions } from "../options.js";
import { allocateId, isoDate, type SimWorld } from "../world.js";
import { APP_NAMES, DOMAINS, WAS_QIDS } from "./catalog.js";
import { makeFinding, newWebApp } from "./seed-world.js";

const DAY = 86_400_000;

function findingsOf(world: SimWorld, webAppId: number): SimFinding[] {
  const out: SimFinding[] = [];
  for (const f of world.findings.values()) if (f.webAppId === webAppId) out.push(f);
  return out;
}

/** Apply a finished WAS scan to its web app's findings and capture `scan.results`. */
export function applyWasScanResults(
  world: SimWorld,
  scan: SimWasScan,
  nowMs: number,
  _options: ResolvedOptions,
): void {
  const app = world.webApps.get(scan.webAppId);
  const rng = world.random;
  const now = isoDate(nowMs);
  if (!app) {
    scan.results = [];
    return;
  }
  const findings = findingsOf(world, app.id);
  const discovery = scan.type === "DISCOVERY";
  const protectSeverities = app.scenario === "vulnerable";

  if (!discovery && app.scenario !== "clean") {
    for (const f of findings) {
      if (f.type === "INFORMATION_GATHERED") continue;
      const before = `${f.status}|${f.isIgnored}`;
      if (f.status === "FIXED") {
        if (rng.chance(0.1)) {
          f.status = "REOPENED";
          f.fixedDate = null;
        }
      } else if (!(protectSeverities && f.type === "VULNERABILITY") && rng.chance(0.08)) {
        f.status = "FIXED";
        f.fixedDate = now;
      } else if (f.status === "NEW") {
        f.status = "ACTIVE";
      } else if (f.status === "REOPENED" && rng.chance(0.5)) {
        f.status = "ACTIVE";
      }
      if (!f.isIgnored && rng.chance(0.02)) {
        f.isIgnored = true;
        f.ignoredReason = rng.pick(["FALSE_POSITIVE", "RISK_ACCEPTED", "NOT_APPLICABLE"] as const);
        f.ignoredDate = now;
        f.ignoredComment = "Reviewed during triage";
      }
      if (before !== `${f.status}|${f.isIgnored}`) f.updatedDate = now;
    }
    // New findings appear now and then.
    const newCount = app.scenario === "vulnerable" ? 1 : rng.int(0, 2);
    const vulnSpecs = WAS_QIDS.filter((s) => s.type !== "INFORMATION_GATHERED");
    for (let i = 0; i < newCount; i++) {
      const f = makeFinding(world, rng, app, rng.pick(vulnSpecs), () => nowMs, {
        status: "NEW",
        isIgnored: false,
      });
      f.firstDetectedDate = now;
      f.timesDetected = 0;
      findings.push(f);
    }
  }

  // A scan logs in only with an authentication record that worked (authStatus SUCCESSFUL or PARTIAL); without
  // one (NONE), or when the login failed, nothing it finds was found while authenticated.
  const loggedIn = scan.outcome.authStatus === "SUCCESSFUL" || scan.outcome.authStatus === "PARTIAL";
  const results: SimScanResultItem[] = [];
  for (const f of findings) {
    const detected =
      f.type === "INFORMATION_GATHERED" || (!discovery && app.scenario !== "clean" && f.status !== "FIXED");
    f.lastTestedDate = now;
    if (!detected) continue;
    if (f.type !== "INFORMATION_GATHERED") f.timesDetected += 1;
    f.lastDetectedDate = now;
    f.updatedDate = now;
    f.scanIds.push(scan.id);
    results.push(resultItem(f, loggedIn));
  }
  scan.results = results;
  scan.summary ??= {
    crawlDuration: rng.int(30, 900),
    testDuration: rng.int(60, 3600),
    linksCrawled: rng.int(10, 500),
    nbRequests: rng.int(500, 40000),
  };
  if (rng.chance(0.3)) app.updatedDate = now;
}

function resultItem(f: SimFinding, loggedIn: boolean): SimScanResultItem {
  const first = f.results[0];
  return {
    findingId: f.id,
    qid: f.qid,
    title: f.name,
    type: f.type,
    severity: f.severity,
    potential: f.potential,
    uri: f.url,
    param: f.param,
    authenticated: loggedIn && (first?.authentication ?? false),
    form: first?.formLocation ?? null,
    payloads: (first?.payloads ?? []).map((p) => ({ payload: p.payload, result: p.response })),
    data: f.type === "INFORMATION_GATHERED" ? (first?.payloads[0]?.response ?? "") : null,
    uniqueId: f.uniqueId,
    firstDetectedDate: f.firstDetectedDate,
    status: f.status,
    isIgnored: f.isIgnored,
  };
}

/** Apply a finished VM scan to its hosts' detections and capture `scan.results`. */
export function applyVmScanResults(world: SimWorld, scan: SimVmScan, nowMs: number): void {
  const rng = world.random;
  const now = isoDate(nowMs);
  const ips = new Set(scan.targetIps);
  if (scan.ec2) {
    const instances = new Set(scan.ec2.instanceIds);
    for (const host of world.hosts.values())
      if (host.ec2InstanceId && instances.has(host.ec2InstanceId)) ips.add(host.ip);
  }
  const results: NonNullable<SimVmScan["results"]> = [];
  for (const host of world.hosts.values()) {
    if (!ips.has(host.ip) || !host.alive) continue;
    host.lastScanDate = now;
    for (const d of host.detections) {
      if (d.type === "Ig") {
        d.lastFound = now;
        continue;
      }
      if (d.status === "Fixed") {
        if (rng.chance(0.1)) d.status = "Re-Opened";
      } else if (host.scenario !== "vulnerable" && rng.chance(0.08)) {
        d.status = "Fixed";
      } else if (d.status === "New") {
        d.status = "Active";
      }
      if (d.status !== "Fixed") {
        d.lastFound = now;
        d.timesFound += 1;
      }
    }
    results.push({
      ip: host.ip,
      detections: host.detections.filter((d) => d.status !== "Fixed").map((d) => ({ ...d })),
    });
  }
  scan.results = results;
}

/** `/__sim/scan-cycle`: every web app and host is scanned once, instantly; data changes like a real subscription. */
export function runScanCycle(world: SimWorld, nowMs: number, options: ResolvedOptions): void {
  const rng = world.random;
  world.cycles += 1;
  const now = isoDate(nowMs);

  for (const app of [...world.webApps.values()]) {
    // In-progress scans end (scenario-slow's too); scenario-running keeps a running scan.
    for (const scan of world.wasScans.values()) {
      if (scan.webAppId !== app.id || isTerminal(scan.status)) continue;
      if (app.scenario === "running") continue;
      finishWasScan(world, scan, nowMs, options);
    }
    if (app.scenario === "running") continue;
    const scan = newFinishedWasScan(world, app, nowMs, options);
    applyWasScanResults(world, scan, nowMs, options);
  }

  for (const host of world.hosts.values()) {
    const scan = newFinishedVmScan(world, host.ip, nowMs, host.alive);
    for (const running of world.vmScans.values()) {
      if (running.state === "Running" && running.stuck && running.targetIps.includes(host.ip)) {
        running.state = "Finished";
        running.endDate = now;
        running.processed = true;
        applyVmScanResults(world, running, nowMs);
      }
    }
    if (host.alive) applyVmScanResults(world, scan, nowMs);
    else scan.results = [];
  }

  // The subscription grows and is edited.
  if (rng.chance(0.5)) {
    const name = `${rng.pick(APP_NAMES)} ${world.webApps.size + 1}`;
    const app = newWebApp(
      world,
      rng,
      name,
      `https://new${world.webApps.size}.${rng.pick(DOMAINS)}/`,
      () => nowMs - DAY,
      null,
    );
    app.createdDate = now;
    app.updatedDate = now;
    for (let i = 0; i < rng.int(2, 6); i++) {
      const f = makeFinding(world, rng, app, rng.pick(WAS_QIDS), () => nowMs, {
        status: "NEW",
        isIgnored: false,
      });
      f.firstDetectedDate = now;
      f.lastDetectedDate = now;
      f.updatedDate = now;
    }
  }
  for (const app of rng.sample([...world.webApps.values()], 2)) app.updatedDate = now;
  for (const vuln of rng.sample([...world.kb.values()], 3)) vuln.lastServiceModificationDate = now;
}

function isTerminal(status: SimWasScan["status"]): boolean {
  return status === "FINISHED" || status === "ERROR" || status === "CANCELED";
}

function finishWasScan(world: SimWorld, scan: SimWasScan, nowMs: number, options: ResolvedOptions): void {
  scan.status = "FINISHED";
  scan.stuck = false;
  scan.resultsStatus = options.cleanResultsStatus;
  scan.authStatus = scan.authRecordId === null ? "NONE" : "SUCCESSFUL";
  scan.endScanDate = isoDate(nowMs);
  applyWasScanResults(world, scan, nowMs, options);
}

function newFinishedWasScan(
  world: SimWorld,
  app: SimWebApp,
  nowMs: number,
  options: ResolvedOptions,
): SimWasScan {
  const id = allocateId(world, "wasScan");
  const outcome = scenarioOutcome(app, options);
  const scan: SimWasScan = {
    id,
    name: `${app.name} scheduled scan`,
    reference: `was/${nowMs}.${id}`,
    type: "VULNERABILITY",
    mode: "SCHEDULED",
    webAppId: app.id,
    authRecordId: app.authRecordIds[0] ?? null,
    profileId: app.defaultProfileId,
    scanner: { type: app.defaultScanner.type },
    cancelAfterNHours: null,
    launchedDate: isoDate(nowMs - 3_600_000),
    launchedBy: { ...app.owner },
    status: outcome.status,
    timeline: { runningAt: nowMs - 3_500_000, processingAt: nowMs - 600_000, finishedAt: nowMs },
    outcome,
    stuck: false,
    endScanDate: isoDate(nowMs),
    resultsStatus: outcome.resultsStatus,
    authStatus: outcome.authStatus,
    canceledBy: null,
    cancelMode: outcome.status === "CANCELED" ? "AUTO" : null,
    summary: null,
    results: outcome.status === "FINISHED" ? null : [],
  };
  world.wasScans.set(id, scan);
  app.lastScanId = id;
  return scan;
}

/** What a scan of this web app ends as (see the README's scenario table). */
export function scenarioOutcome(app: SimWebApp, options: ResolvedOptions): SimWasScan["outcome"] {
  const authStatus = app.authRecordIds.length > 0 ? "SUCCESSFUL" : "NONE";
  switch (app.scenario) {
    case "error":
      return { status: "ERROR", resultsStatus: "SCAN_INTERNAL_ERROR", authStatus };
    case "canceled":
      return { status: "CANCELED", resultsStatus: "CANCELED", authStatus };
    case "no-host":
      return { status: "FINISHED", resultsStatus: "NO_HOST_ALIVE", authStatus: "NOT_USED" };
    case "time-limit":
      return { status: "FINISHED", resultsStatus: "TIME_LIMIT_EXCEEDED", authStatus };
    default:
      return { status: "FINISHED", resultsStatus: options.cleanResultsStatus, authStatus };
  }
}

function newFinishedVmScan(world: SimWorld, ip: string, nowMs: number, alive: boolean): SimVmScan {
  const id = allocateId(world, "vmScan");
  const scan: SimVmScan = {
    id,
    ref: `scan/${Math.floor(nowMs / 1000)}.${id}`,
    title: `Scheduled scan ${ip}`,
    type: "Scheduled",
    userLogin: "sec_owner",
    launchDate: isoDate(nowMs - 1_800_000),
    state: "Finished",
    subState: alive ? null : "No_Host",
    targetIps: [ip],
    ec2: null,
    optionProfile: { id: 3001, title: "Initial Options", isDefault: true },
    scanner: "External",
    networkId: null,
    timeline: { runningAt: nowMs - 1_700_000, loadingAt: nowMs - 300_000, finishedAt: nowMs },
    outcome: { state: "Finished", subState: alive ? null : "No_Host" },
    stuck: false,
    processed: true,
    endDate: isoDate(nowMs),
    results: null,
  };
  world.vmScans.set(id, scan);
  return scan;
}
