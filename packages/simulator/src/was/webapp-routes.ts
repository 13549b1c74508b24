/** WAS web apps: search, count, get (docs/qualys-api.md 3.7). */
import type { Route } from "../http/types.js";
import type { SimWebApp } from "../model.js";
import type { FieldSpecs } from "../wire/filters.js";
import { type QNode, qcdata, qlist } from "../wire/qps.js";
import type { SimWorld } from "../world.js";
import { objectRoutes } from "./qps-handler.js";

const SCAN_STATUSES = ["SUBMITTED", "RUNNING", "FINISHED", "ERROR", "CANCELED", "PROCESSING"] as const;

export function webAppSpecs(world: SimWorld): FieldSpecs<SimWebApp> {
  const lastScan = (w: SimWebApp) => (w.lastScanId === null ? undefined : world.wasScans.get(w.lastScanId));
  return {
    id: { type: "INTEGER", get: (w) => w.id },
    name: { type: "TEXT", get: (w) => w.name },
    url: { type: "TEXT", get: (w) => w.url },
    "tags.name": { type: "TEXT", get: (w) => w.tags.map((t) => t.name), allowNone: true },
    "tags.id": { type: "INTEGER", get: (w) => w.tags.map((t) => t.id), allowNone: true },
    tags: { type: "INTEGER", get: (w) => w.tags.map((t) => t.id), allowNone: true },
    createdDate: { type: "DATE", get: (w) => w.createdDate },
    updatedDate: { type: "DATE", get: (w) => w.updatedDate },
    isScheduled: { type: "BOOLEAN", get: (w) => w.isScheduled },
    isScanned: { type: "BOOLEAN", get: (w) => w.lastScanId !== null },
    "lastScan.status": { type: "KEYWORD", get: (w) => lastScan(w)?.status, keywords: SCAN_STATUSES },
    "lastScan.date": { type: "DATE", get: (w) => lastScan(w)?.launchedDate },
  };
}

/** Non-verbose search record, element for element as the real recording (J1 iterateWebApps). */
function briefWebApp(w: SimWebApp): QNode {
  return {
    id: w.id,
    name: qcdata(w.name),
    url: qcdata(w.url),
    owner: { id: w.owner.id },
    tags: { count: w.tags.length },
    createdDate: w.createdDate,
    updatedDate: w.updatedDate,
  };
}

/** Verbose search record and `get` (docs/qualys-api.md 3.7 detail fields). */
export function fullWebApp(world: SimWorld, w: SimWebApp): QNode {
  const profile = world.wasOptionProfiles.get(w.defaultProfileId);
  const scan = w.lastScanId === null ? undefined : world.wasScans.get(w.lastScanId);
  return {
    id: w.id,
    name: qcdata(w.name),
    url: qcdata(w.url),
    os: w.os ?? undefined,
    owner: {
      id: w.owner.id,
      username: w.owner.username,
      firstName: w.owner.firstName,
      lastName: w.owner.lastName,
    },
    scope: w.scope,
    uris: qlist(
      "Url",
      w.uris.map((u) => qcdata(u)),
    ),
    attributes: { count: 0 },
    defaultProfile: profile ? { id: profile.id, name: qcdata(profile.name) } : undefined,
    defaultScanner: { type: w.defaultScanner.type, friendlyName: w.defaultScanner.friendlyName },
    scannerLocked: false,
    progressiveScanning: "DISABLED",
    urlExcludelist: { count: 0 },
    urlAllowlist: { count: 0 },
    postDataExcludelist: { count: 0 },
    logoutRegexList: { count: 0 },
    authRecords: qlist(
      "WebAppAuthRecord",
      w.authRecordIds.map((id) => ({ id, name: qcdata(world.authRecords.get(id)?.name ?? "") })),
    ),
    dnsOverrides: { count: 0 },
    useRobots: "IGNORE",
    useSitemap: false,
    headers: { count: 0 },
    malwareMonitoring: false,
    tags: qlist(
      "Tag",
      w.tags.map((t) => ({ id: t.id, name: qcdata(t.name) })),
    ),
    comments:
      w.comments === null
        ? { count: 0 }
        : qlist("Comment", [{ contents: qcdata(w.comments), createdDate: w.updatedDate }]),
    isScheduled: w.isScheduled,
    lastScan: scan
      ? {
          id: scan.id,
          name: qcdata(scan.name),
          summary: scan.resultsStatus
            ? { resultsStatus: scan.resultsStatus, authStatus: scan.authStatus }
            : undefined,
        }
      : undefined,
    createdBy: {
      id: w.owner.id,
      username: w.owner.username,
      firstName: w.owner.firstName,
      lastName: w.owner.lastName,
    },
    createdDate: w.createdDate,
    updatedBy: {
      id: w.owner.id,
      username: w.owner.username,
      firstName: w.owner.firstName,
      lastName: w.owner.lastName,
    },
    updatedDate: w.updatedDate,
    screenshot: false,
    riskScore: w.riskScore,
  };
}

export const webAppRoutes: Route[] = objectRoutes({
  base: "3.0",
  api: "was",
  object: "webapp",
  element: "WebApp",
  module: "WAS",
  records: (ctx) => ctx.world.webApps.values(),
  byId: (ctx, id) => ctx.world.webApps.get(id),
  specs: (ctx) => webAppSpecs(ctx.world),
  render: (ctx, w, verbose) => (verbose ? fullWebApp(ctx.world, w) : briefWebApp(w)),
});
