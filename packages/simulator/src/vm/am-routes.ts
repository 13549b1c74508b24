/**
 * Asset Management (QPS 2.0) calls used for EC2 scans (docs/qualys-api.md 4.4): find an AWS connector, run it
 * and poll its state, look up EC2 host assets, and tags. Run states QUEUED -> RUNNING -> PROCESSING ->
 * outcome (intermediate names UNCONFIRMED).
 */
import type { ApiRequest, Route, SimContext } from "../http/types.js";
import type { SimConnector, SimHostAsset } from "../model.js";
import { answer, notFound, pathId, qpsHandler, readRequest } from "../was/qps-handler.js";
import type { FieldSpecs } from "../wire/filters.js";
import { type QNode, qcdata, qlist } from "../wire/qps.js";
import { search } from "../wire/qps-search.js";
import { isoDate } from "../world.js";

const AM = "2.0/am";

function connectorSpecs(): FieldSpecs<SimConnector> {
  return {
    id: { type: "INTEGER", get: (c) => c.id },
    name: { type: "TEXT", get: (c) => c.name },
    connectorState: { type: "KEYWORD", get: (c) => c.state },
    disabled: { type: "BOOLEAN", get: (c) => c.disabled },
  };
}

function renderConnector(c: SimConnector): QNode {
  return {
    id: c.id,
    name: qcdata(c.name),
    description: qcdata(c.description),
    connectorState: c.state,
    disabled: c.disabled,
    lastSync: c.lastSync ?? undefined,
    isGovCloudConfigured: false,
    isChinaConfigured: false,
    awsAccountId: c.awsAccountId,
    activation: qlist("ActivationModule", [{ module: "VM" }]),
    endpoints: qlist(
      "AwsEndpointSimple",
      c.regions.map((r) => ({ regionCode: r, scanType: "ALL" })),
    ),
  };
}

export function tickConnectors(ctx: SimContext): void {
  const now = ctx.now();
  for (const c of ctx.world.connectors.values()) {
    if (c.runEndsAt === null) continue;
    const started = c.runEndsAt - ctx.options.connectorRunMs;
    if (now >= c.runEndsAt) {
      c.state = c.runOutcome;
      c.runEndsAt = null;
      c.lastSync = isoDate(now);
    } else if (now >= started + ctx.options.connectorRunMs * 0.6) c.state = "PROCESSING";
    else if (now >= started + ctx.options.connectorRunMs * 0.1) c.state = "RUNNING";
  }
}

function connectorById(req: ApiRequest, ctx: SimContext): SimConnector {
  const id = pathId(req, "AssetDataConnector");
  const c = ctx.world.connectors.get(id);
  if (!c) throw notFound("AssetDataConnector", id);
  return c;
}

function hostAssetSpecs(): FieldSpecs<SimHostAsset> {
  return {
    id: { type: "INTEGER", get: (a) => a.id },
    name: { type: "TEXT", get: (a) => a.name },
    address: { type: "TEXT", get: (a) => a.ip },
    instanceId: { type: "TEXT", get: (a) => a.instanceId },
    "sourceInfo.list.Ec2AssetSourceSimple.instanceId": { type: "TEXT", get: (a) => a.instanceId },
    "sourceInfo.list.Ec2AssetSourceSimple.instanceState": { type: "TEXT", get: (a) => a.instanceState },
    "sourceInfo.list.Ec2AssetSourceSimple.region": { type: "TEXT", get: (a) => a.region },
  };
}

function renderHostAsset(a: SimHostAsset): QNode {
  return {
    id: a.id,
    name: qcdata(a.name),
    address: a.ip,
    trackingMethod: "EC2",
    sourceInfo: qlist("Ec2AssetSourceSimple", [
      {
        instanceId: a.instanceId,
        instanceState: a.instanceState,
        region: a.region,
        type: "EC2_ASSET_SOURCE",
        privateIpAddress: a.ip,
      },
    ]),
  };
}

const BASE = "/qps/rest/2.0";

export const amRoutes: Route[] = [
  {
    method: "POST",
    path: `${BASE}/search/am/awsassetdataconnector`,
    family: "qps",
    module: "AM",
    handler: qpsHandler(
      "awsassetdataconnector",
      (req, ctx) =>
        answer(
          req,
          "awsassetdataconnector",
          search(
            ctx.world.connectors.values(),
            readRequest(req),
            connectorSpecs(),
            "AwsAssetDataConnector",
            renderConnector,
          ),
          AM,
        ),
      AM,
    ),
  },
  {
    method: "POST",
    path: `${BASE}/run/am/assetdataconnector/{id}`,
    family: "qps",
    module: "AM",
    handler: qpsHandler(
      "assetdataconnector",
      (req, ctx) => {
        const c = connectorById(req, ctx);
        // A disabled connector does not run; it answers with its DISABLED state (JVM treats DISABLED as an error).
        if (!c.disabled && c.runEndsAt === null) {
          c.state = "QUEUED";
          c.runEndsAt = ctx.now() + ctx.options.connectorRunMs;
        }
        return answer(
          req,
          "assetdataconnector",
          { responseCode: "SUCCESS", count: 1, data: [["AwsAssetDataConnector", renderConnector(c)]] },
          AM,
        );
      },
      AM,
    ),
  },
  {
    method: "GET",
    path: `${BASE}/get/am/assetdataconnector/{id}`,
    family: "qps",
    module: "AM",
    handler: qpsHandler(
      "assetdataconnector",
      (req, ctx) =>
        answer(
          req,
          "assetdataconnector",
          {
            responseCode: "SUCCESS",
            count: 1,
            data: [["AssetDataConnector", renderConnector(connectorById(req, ctx))]],
          },
          AM,
        ),
      AM,
    ),
  },
  {
    method: "POST",
    path: `${BASE}/search/am/hostasset`,
    family: "qps",
    module: "AM",
    // The `fields` query parameter (JVM) only trims the answer on real Qualys; it is accepted and ignored here.
    handler: qpsHandler(
      "hostasset",
      (req, ctx) =>
        answer(
          req,
          "hostasset",
          search(
            ctx.world.hostAssets.values(),
            readRequest(req),
            hostAssetSpecs(),
            "HostAsset",
            renderHostAsset,
          ),
          AM,
        ),
      AM,
    ),
  },
  {
    method: "POST",
    path: `${BASE}/search/am/tag`,
    family: "qps",
    module: "AM",
    handler: qpsHandler(
      "tag",
      (req, ctx) => {
        const tags = new Map<number, { id: number; name: string }>();
        for (const w of ctx.world.webApps.values()) for (const t of w.tags) tags.set(t.id, t);
        const specs: FieldSpecs<{ id: number; name: string }> = {
          id: { type: "INTEGER", get: (t) => t.id },
          name: { type: "TEXT", get: (t) => t.name },
        };
        const sorted = [...tags.values()].sort((a, b) => a.id - b.id);
        return answer(
          req,
          "tag",
          search(sorted, readRequest(req), specs, "Tag", (t) => ({ id: t.id, name: qcdata(t.name) })),
          AM,
        );
      },
      AM,
    ),
  },
];
