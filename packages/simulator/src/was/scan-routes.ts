/**
 * WAS scans: launch, status, get, search, count, cancel, download (docs/qualys-api.md 3.8), and the lifecycle
 * SUBMITTED -> RUNNING -> PROCESSING -> FINISHED | ERROR | CANCELED driven by the simulator clock.
 */

import { applyWasScanResults, scenarioOutcome } from "../data/evolve.js";
import type { ApiRequest, Route, SimContext } from "../http/types.js";
import type { SimScanResultItem, SimWasScan, WasResultsStatus } from "../model.js";
import type { FieldSpecs } from "../wire/filters.js";
import { type QNode, qbase64, qcdata, qlist, qnodeToXml } from "../wire/qps.js";
import { asArray, dataPath } from "../wire/service-request.js";
import { xmlDocument } from "../wire/xml.js";
import { allocateId, isoDate, type SimWorld } from "../world.js";
import {
  answer,
  notFound,
  objectRoutes,
  pathId,
  QpsProblem,
  qpsHandler,
  readRequest,
} from "./qps-handler.js";

const STATUSES = ["SUBMITTED", "RUNNING", "FINISHED", "ERROR", "CANCELED", "PROCESSING"] as const;
const RESULTS_STATUSES: readonly WasResultsStatus[] = [
  "NOT_USED",
  "TO_BE_PROCESSED",
  "NO_HOST_ALIVE",
  "NO_WEB_SERVICE",
  "SERVICE_ERROR",
  "TIME_LIMIT_REACHED",
  "SCAN_INTERNAL_ERROR",
  "SCAN_RESULTS_INVALID",
  "SUCCESSFUL",
  "PROCESSING",
  "TIME_LIMIT_EXCEEDED",
  "SCAN_NOT_LAUNCHED",
  "SCANNER_NOT_AVAILABLE",
  "SUBMITTED",
  "RUNNING",
  "FINISHED",
  "CANCELED",
  "CANCELING",
  "ERROR",
  "DELETED",
  "CANCELED_WITH_RESULTS",
];
const TERMINAL = new Set(["FINISHED", "ERROR", "CANCELED"]);

export function scanSpecs(world: SimWorld): FieldSpecs<SimWasScan> {
  return {
    id: { type: "INTEGER", get: (s) => s.id },
    name: { type: "TEXT", get: (s) => s.name },
    "webApp.name": { type: "TEXT", get: (s) => world.webApps.get(s.webAppId)?.name },
    "webApp.id": { type: "INTEGER", get: (s) => s.webAppId },
    "webApp.tags": {
      type: "INTEGER",
      get: (s) => world.webApps.get(s.webAppId)?.tags.map((t) => t.id) ?? [],
      allowNone: true,
    },
    "webApp.tags.id": {
      type: "INTEGER",
      get: (s) => world.webApps.get(s.webAppId)?.tags.map((t) => t.id) ?? [],
      allowNone: true,
    },
    reference: { type: "TEXT", get: (s) => s.reference },
    launchedDate: { type: "DATE", get: (s) => s.launchedDate },
    type: { type: "KEYWORD", get: (s) => s.type, keywords: ["VULNERABILITY", "DISCOVERY"] },
    mode: { type: "KEYWORD", get: (s) => s.mode, keywords: ["ONDEMAND", "SCHEDULED", "API"] },
    status: { type: "KEYWORD", get: (s) => s.status, keywords: STATUSES },
    authStatus: {
      type: "KEYWORD",
      get: (s) => s.authStatus,
      keywords: ["NONE", "NOT_USED", "SUCCESSFUL", "FAILED", "PARTIAL"],
    },
    resultsStatus: { type: "KEYWORD", get: (s) => s.resultsStatus, keywords: RESULTS_STATUSES },
  };
}

// ---------- Lifecycle ----------

/** Move every scan along its timeline up to now. */
export function tickWasScans(ctx: SimContext): void {
  const now = ctx.now();
  const { world } = ctx;
  for (const scan of world.wasScans.values()) {
    if (TERMINAL.has(scan.status)) continue;
    if (scan.stuck) {
      if (scan.status === "SUBMITTED" && now >= scan.timeline.runningAt) scan.status = "RUNNING";
      continue;
    }
    if (
      scan.cancelAfterNHours !== null &&
      now >= Date.parse(scan.launchedDate) + scan.cancelAfterNHours * 3_600_000
    ) {
      endScan(ctx, scan, "CANCELED", "CANCELED", "AUTO");
      continue;
    }
    if (now >= scan.timeline.finishedAt) {
      const { outcome } = scan;
      endScan(
        ctx,
        scan,
        outcome.status,
        outcome.resultsStatus,
        outcome.status === "CANCELED" ? "AUTO" : null,
      );
    } else if (now >= scan.timeline.processingAt) scan.status = "PROCESSING";
    else if (now >= scan.timeline.runningAt) scan.status = "RUNNING";
  }
  // scenario-running always has a scan already running.
  for (const app of world.webApps.values()) {
    if (app.scenario !== "running") continue;
    const busy = [...world.wasScans.values()].some((s) => s.webAppId === app.id && !TERMINAL.has(s.status));
    if (!busy) {
      const scan = createScan(ctx, {
        name: `${app.name} nightly`,
        type: "VULNERABILITY",
        webAppId: app.id,
        authRecordId: app.authRecordIds[0] ?? null,
        profileId: app.defaultProfileId,
        scanner: { type: "EXTERNAL" },
        cancelAfterNHours: null,
        mode: "SCHEDULED",
        user: app.owner,
      });
      scan.status = "RUNNING";
    }
  }
}

function endScan(
  ctx: SimContext,
  scan: SimWasScan,
  status: SimWasScan["status"],
  resultsStatus: WasResultsStatus,
  cancelMode: SimWasScan["cancelMode"],
): void {
  const now = ctx.now();
  scan.status = status;
  scan.stuck = false;
  scan.resultsStatus = resultsStatus;
  scan.authStatus = scan.outcome.authStatus;
  scan.endScanDate = isoDate(now);
  scan.cancelMode = cancelMode;
  const elapsed = Math.max(1, Math.round((now - Date.parse(scan.launchedDate)) / 1000));
  scan.summary ??= {
    crawlDuration: Math.round(elapsed * 0.3),
    testDuration: Math.round(elapsed * 0.6),
    linksCrawled: 10 + (scan.id % 200),
    nbRequests: 500 + (scan.id % 9000),
  };
  if (status === "FINISHED" && resultsStatus !== "NO_HOST_ALIVE")
    applyWasScanResults(ctx.world, scan, now, ctx.options);
  else scan.results = [];
}

interface NewScan {
  name: string;
  type: SimWasScan["type"];
  webAppId: number;
  authRecordId: number | null;
  profileId: number;
  scanner: SimWasScan["scanner"];
  cancelAfterNHours: number | null;
  mode: SimWasScan["mode"];
  user: SimWasScan["launchedBy"];
}

function createScan(ctx: SimContext, spec: NewScan): SimWasScan {
  const { world, options } = ctx;
  const now = ctx.now();
  const app = world.webApps.get(spec.webAppId);
  const id = allocateId(world, "wasScan");
  const d = options.scanDurationMs;
  const outcome = app
    ? scenarioOutcome(app, options)
    : { status: "FINISHED" as const, resultsStatus: options.cleanResultsStatus, authStatus: "NONE" as const };
  if (spec.authRecordId === null && outcome.authStatus === "SUCCESSFUL") outcome.authStatus = "NONE";
  const scan: SimWasScan = {
    id,
    name: spec.name,
    reference: `was/${now}.${id}`,
    type: spec.type,
    mode: spec.mode,
    webAppId: spec.webAppId,
    authRecordId: spec.authRecordId,
    profileId: spec.profileId,
    scanner: spec.scanner,
    cancelAfterNHours: spec.cancelAfterNHours,
    launchedDate: isoDate(now),
    launchedBy: { ...spec.user },
    status: "SUBMITTED",
    timeline: { runningAt: now + d * 0.1, processingAt: now + d * 0.85, finishedAt: now + d },
    outcome,
    stuck: app?.scenario === "slow" || app?.scenario === "running",
    endScanDate: null,
    resultsStatus: null,
    authStatus: null,
    canceledBy: null,
    cancelMode: null,
    summary: null,
    results: null,
  };
  world.wasScans.set(id, scan);
  if (app) app.lastScanId = id;
  return scan;
}

// ---------- Rendering ----------

function launchedBy(s: SimWasScan): QNode {
  return {
    id: s.launchedBy.id,
    username: s.launchedBy.username,
    firstName: s.launchedBy.firstName,
    lastName: s.launchedBy.lastName,
  };
}

function scanCore(world: SimWorld, s: SimWasScan): Record<string, QNode> {
  const app = world.webApps.get(s.webAppId);
  const profile = world.wasOptionProfiles.get(s.profileId);
  const auth = s.authRecordId === null ? undefined : world.authRecords.get(s.authRecordId);
  return {
    id: s.id,
    name: qcdata(s.name),
    reference: s.reference,
    type: s.type,
    mode: s.mode,
    multi: false,
    target: {
      webApp: { id: s.webAppId, name: qcdata(app?.name ?? ""), url: qcdata(app?.url ?? "") },
      webAppAuthRecord: auth ? { id: auth.id, name: qcdata(auth.name) } : undefined,
      scannerAppliance: { type: s.scanner.type, friendlyName: s.scanner.friendlyName },
    },
    profile: profile ? { id: profile.id, name: qcdata(profile.name) } : { id: s.profileId },
    cancelAfterNHours: s.cancelAfterNHours ?? undefined,
    options: qlist("WasScanOption", [
      { name: "Web Application Authentication Record", value: auth ? qcdata(auth.name) : "None" },
      { name: "Scanner Appliance", value: s.scanner.friendlyName ?? s.scanner.type },
    ]),
    launchedDate: s.launchedDate,
    launchedBy: launchedBy(s),
    status: s.status,
    consolidatedStatus: s.status,
    endScanDate: s.endScanDate ?? undefined,
    scanDuration: s.endScanDate
      ? Math.max(0, Math.round((Date.parse(s.endScanDate) - Date.parse(s.launchedDate)) / 1000))
      : undefined,
    summary: summaryOf(s),
    cancelMode: s.cancelMode ?? undefined,
    canceledBy: s.canceledBy ? { id: s.canceledBy.id, username: s.canceledBy.username } : undefined,
  };
}

function summaryOf(s: SimWasScan): QNode {
  if (!s.resultsStatus) return undefined;
  return {
    crawlDuration: s.summary?.crawlDuration,
    testDuration: s.summary?.testDuration,
    linksCrawled: s.summary?.linksCrawled,
    nbRequests: s.summary?.nbRequests,
    resultsStatus: s.resultsStatus,
    authStatus: s.authStatus ?? "NONE",
  };
}

function levelCounts(items: SimScanResultItem[], prefix: string): Record<string, number> {
  const out: Record<string, number> = { [`${prefix}Total`]: items.length };
  for (const level of [5, 4, 3, 2, 1])
    out[`${prefix}Level${level}`] = items.filter((i) => i.severity === level).length;
  return out;
}

function groupStats(
  items: SimScanResultItem[],
  key: (i: SimScanResultItem) => string[],
  element: string,
  field: string,
): QNode {
  const groups = new Map<string, SimScanResultItem[]>();
  for (const item of items) for (const k of key(item)) groups.set(k, [...(groups.get(k) ?? []), item]);
  return qlist(
    element,
    [...groups].map(([name, members]) => {
      const counts = levelCounts(members, "nb");
      return {
        [field]: name,
        nbTotal: counts.nbTotal,
        nbLevel5: counts.nbLevel5,
        nbLevel4: counts.nbLevel4,
        nbLevel3: counts.nbLevel3,
        nbLevel2: counts.nbLevel2,
        nbLevel1: counts.nbLevel1,
      };
    }),
  );
}

/** The downloaded results (docs/qualys-api.md 3.8 element order; HQ's WasScan parser). */
function scanResults(world: SimWorld, s: SimWasScan): QNode {
  const results = s.results ?? [];
  const vulns = results.filter((r) => r.type === "VULNERABILITY");
  const sensitive = results.filter((r) => r.type === "SENSITIVE_CONTENT");
  const igs = results.filter((r) => r.type === "INFORMATION_GATHERED");
  const kbGroup = (r: SimScanResultItem) => [world.kb.get(r.qid)?.group ?? "INFO"];
  const owasp = (r: SimScanResultItem) => world.findings.get(r.findingId)?.owasp.map((o) => o.name) ?? [];
  const wasc = (r: SimScanResultItem) => world.findings.get(r.findingId)?.wasc.map((o) => o.name) ?? [];
  const byQid = (items: SimScanResultItem[]) => {
    const grouped = new Map<string, SimScanResultItem[]>();
    for (const item of items) {
      const key = `${item.qid}|${item.uri ?? ""}|${item.param ?? ""}`;
      grouped.set(key, [...(grouped.get(key) ?? []), item]);
    }
    return [...grouped.values()];
  };
  const vulnGroups = byQid(vulns);
  // Statistics count what the vulnerability list shows: one vulnerability per QID, URI and parameter, however many
  // instances it has. A real WAS_SCAN_REPORT counts its SUMMARY_STAT LEVEL1..5 the same way, one per
  // VULNERABILITY record (DefectDojo's qualys_webapp_one_vuln.xml: one record of severity 3, LEVEL3 1).
  const counted = vulnGroups.map((items) => items[0] as SimScanResultItem);
  return {
    ...scanCore(world, s),
    stats: {
      global: {
        ...levelCounts(counted, "nbVulns"),
        ...levelCounts(sensitive, "nbScs"),
        ...levelCounts(igs, "nbIgs"),
      },
      byGroup: groupStats(counted, kbGroup, "GroupStat", "group"),
      byOwasp: groupStats(counted, owasp, "OwaspStat", "owasp"),
      byWasc: groupStats(counted, wasc, "WascStat", "wasc"),
    },
    vulns: qlist(
      "WasScanVuln",
      vulnGroups.map((items) => {
        const first = items[0] as SimScanResultItem;
        return {
          qid: first.qid,
          title: qcdata(first.title),
          uri: qcdata(first.uri ?? ""),
          param: first.param === null ? undefined : qcdata(first.param),
          severity: first.severity,
          potential: first.potential,
          instances: qlist(
            "WasScanVulnInstance",
            items.map((i) => ({
              authenticated: i.authenticated,
              form: i.form === null ? undefined : qcdata(i.form),
              // HQ: Qualys' base64 is not always padded; every third payload is sent unpadded.
              payloads: qlist(
                "WasScanVulnPayload",
                i.payloads.map((p, n) => ({
                  payload: qcdata(p.payload),
                  result: qbase64(p.result, (i.findingId + n) % 3 === 0),
                })),
              ),
            })),
          ),
        };
      }),
    ),
    sensitiveContents: qlist(
      "WasScanSensitiveContent",
      sensitive.map((i) => ({
        qid: i.qid,
        title: qcdata(i.title),
        uri: qcdata(i.uri ?? ""),
        severity: i.severity,
        instances: qlist("WasScanSensitiveContentInstance", [
          { authenticated: i.authenticated, contents: qbase64(i.payloads[0]?.result ?? "") },
        ]),
      })),
    ),
    igs: qlist(
      "WasScanIg",
      igs.map((i) => ({ qid: i.qid, title: qcdata(i.title), data: qbase64(i.data ?? "") })),
    ),
    sendMail: false,
    enableWAFAuth: false,
  };
}

// ---------- Launch ----------

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "object") {
    const t = (value as Record<string, unknown>)["#text"];
    return t === undefined ? undefined : String(t);
  }
  return String(value);
}

function launch(req: ApiRequest, ctx: SimContext): ReturnType<typeof answer> {
  const sr = readRequest(req);
  const data = sr.data;
  const wasScan = dataPath(data, "WasScan");
  if (!wasScan)
    throw new QpsProblem(
      "INVALID_REQUEST",
      "WasScan: data.WasScan is required.",
      "Specify the scan in data.WasScan.",
    );
  const name = text(dataPath(wasScan, "name"));
  if (!name) throw new QpsProblem("INVALID_REQUEST", "WasScan: name is required.", "Specify a scan name.");
  // DOC scan_ref: names up to 256 characters.
  if (name.length > 256)
    throw new QpsProblem("INVALID_REQUEST", "WasScan: name is too long (maximum 256 characters).");
  const type = text(dataPath(wasScan, "type")) ?? "VULNERABILITY";
  if (type !== "VULNERABILITY" && type !== "DISCOVERY") {
    throw new QpsProblem(
      "INVALID_REQUEST",
      `WasScan: invalid type ${type}.`,
      "Values expected: VULNERABILITY, DISCOVERY.",
    );
  }
  const rawWebApp = text(dataPath(wasScan, "target.webApp.id"));
  const webApps = asArray(dataPath(wasScan, "target.webApps.set.WebApp")).map((w) => text(dataPath(w, "id")));
  const targetIds = rawWebApp !== undefined ? [rawWebApp] : webApps;
  if (targetIds.length === 0) {
    throw new QpsProblem(
      "INVALID_REQUEST",
      "WasScan: target.webApp.id is required.",
      "Specify the web application to scan.",
    );
  }
  const apps = targetIds.map((raw) => {
    if (!raw || !/^\d+$/.test(raw))
      throw new QpsProblem(
        "INVALID_REQUEST",
        `WasScan: invalid web application id (${raw}).`,
        "Specify the id as Long.",
      );
    const app = ctx.world.webApps.get(Number(raw));
    if (!app) throw notFound("WebApp", raw);
    return app;
  });
  const authNode = dataPath(wasScan, "target.webAppAuthRecord");
  const authDefault = text(dataPath(authNode, "isDefault")) === "true";
  const authId = text(dataPath(authNode, "id"));
  if (authId !== undefined && !ctx.world.authRecords.has(Number(authId)))
    throw notFound("WebAppAuthRecord", authId);
  const profileId = text(dataPath(wasScan, "profile.id"));
  if (profileId !== undefined && !ctx.world.wasOptionProfiles.has(Number(profileId)))
    throw notFound("OptionProfile", profileId);
  const scannerType = text(dataPath(wasScan, "target.scannerAppliance.type")) ?? "EXTERNAL";
  if (!["EXTERNAL", "INTERNAL", "SCANNER_TAGS"].includes(scannerType)) {
    throw new QpsProblem(
      "INVALID_REQUEST",
      `WasScan: invalid scanner appliance type ${scannerType}.`,
      "Values expected: EXTERNAL, INTERNAL.",
    );
  }
  const friendlyName = text(dataPath(wasScan, "target.scannerAppliance.friendlyName"));
  if (
    scannerType === "INTERNAL" &&
    friendlyName &&
    ![...ctx.world.appliances.values()].some((a) => a.name === friendlyName)
  ) {
    throw new QpsProblem("INVALID_REQUEST", `WasScan: scanner appliance ${friendlyName} does not exist.`);
  }
  const cancelRaw = text(dataPath(wasScan, "cancelAfterNHours"));
  const cancelAfter = cancelRaw === undefined ? null : Number(cancelRaw);
  if (cancelAfter !== null && (!Number.isInteger(cancelAfter) || cancelAfter < 1 || cancelAfter > 24 * 365)) {
    throw new QpsProblem(
      "INVALID_REQUEST",
      `WasScan: invalid cancelAfterNHours (${cancelRaw}).`,
      "Specify a whole number of hours.",
    );
  }
  const user = req.user;
  const by = user
    ? { id: user.id, username: user.username, firstName: user.firstName, lastName: user.lastName }
    : { id: 0, username: "unknown", firstName: "", lastName: "" };
  const scans = apps.map((app) =>
    createScan(ctx, {
      name,
      type,
      webAppId: app.id,
      authRecordId:
        authId !== undefined ? Number(authId) : authDefault ? (app.authRecordIds[0] ?? null) : null,
      profileId: profileId !== undefined ? Number(profileId) : app.defaultProfileId,
      scanner: friendlyName
        ? { type: scannerType as "INTERNAL", friendlyName }
        : { type: scannerType as "EXTERNAL" },
      cancelAfterNHours: cancelAfter,
      mode: "API",
      user: by,
    }),
  );
  return answer(req, "wasscan", {
    responseCode: "SUCCESS",
    count: scans.length,
    data: scans.map((s) => ["WasScan", { id: s.id }] as const),
  });
}

const BASE = "/qps/rest/3.0";

function scanById(req: ApiRequest, ctx: SimContext): SimWasScan {
  const id = pathId(req, "WasScan");
  const scan = ctx.world.wasScans.get(id);
  if (!scan) throw notFound("WasScan", id);
  return scan;
}

export const scanRoutes: Route[] = [
  ...objectRoutes({
    base: "3.0",
    api: "was",
    object: "wasscan",
    element: "WasScan",
    module: "WAS",
    records: (ctx) => ctx.world.wasScans.values(),
    byId: (ctx, id) => ctx.world.wasScans.get(id),
    specs: (ctx) => scanSpecs(ctx.world),
    render: (ctx, s) => scanCore(ctx.world, s),
  }),
  {
    method: "POST",
    path: `${BASE}/launch/was/wasscan`,
    family: "qps",
    module: "WAS",
    handler: qpsHandler("wasscan", launch),
  },
  {
    method: "GET",
    path: `${BASE}/status/was/wasscan/{id}`,
    family: "qps",
    module: "WAS",
    // DOC scan_status: id, status, and summary{resultsStatus, authStatus} once results exist.
    handler: qpsHandler("wasscan", (req, ctx) => {
      const s = scanById(req, ctx);
      const record: QNode = {
        id: s.id,
        status: s.status,
        consolidatedStatus: TERMINAL.has(s.status) ? undefined : s.status,
        summary: s.resultsStatus
          ? { resultsStatus: s.resultsStatus, authStatus: s.authStatus ?? "NONE" }
          : undefined,
      };
      return answer(req, "wasscan", { responseCode: "SUCCESS", count: 1, data: [["WasScan", record]] });
    }),
  },
  {
    method: "POST",
    path: `${BASE}/cancel/was/wasscan/{id}`,
    family: "qps",
    module: "WAS",
    handler: qpsHandler("wasscan", (req, ctx) => {
      const s = scanById(req, ctx);
      if (TERMINAL.has(s.status)) {
        // Real wording (QSDK docs, docs/qualys-api.md 3.6).
        throw new QpsProblem(
          "INVALID_REQUEST",
          `Scan is not in a running state. Scan status: ${s.status}`,
          "Verify the WasScan ID passed to the request and that this scan is still running.",
        );
      }
      const sr = readRequest(req);
      const withResults = text(dataPath(sr.data, "WasScan.cancelWithResults")) === "true";
      const user = req.user;
      s.canceledBy = user
        ? { id: user.id, username: user.username, firstName: user.firstName, lastName: user.lastName }
        : null;
      endScan(ctx, s, "CANCELED", withResults ? "CANCELED_WITH_RESULTS" : "CANCELED", "MANUAL");
      return answer(req, "wasscan", { responseCode: "SUCCESS", count: 1, data: [["WasScan", { id: s.id }]] });
    }),
  },
  {
    method: "GET",
    path: `${BASE}/download/was/wasscan/{id}`,
    family: "qps",
    module: "WAS",
    handler: qpsHandler("wasscan", (req, ctx) => {
      const s = scanById(req, ctx);
      if (!TERMINAL.has(s.status)) {
        // UNCONFIRMED: downloading a running scan; refused until results exist.
        throw new QpsProblem(
          "INVALID_REQUEST",
          `Scan results are not available. Scan status: ${s.status}`,
          "Wait until the scan has finished.",
        );
      }
      const record = scanResults(ctx.world, s);
      if (String(req.headers.accept ?? "").includes("application/json")) {
        return answer(req, "wasscan", { responseCode: "SUCCESS", count: 1, data: [["WasScan", record]] });
      }
      // docs/qualys-api.md 3.8: the XML download is the bare <WasScan> document, with no ServiceResponse
      // around it.
      const root = qnodeToXml("WasScan", record);
      return { status: 200, contentType: "application/xml", body: root ? xmlDocument(root) : "" };
    }),
  },
];
