/** WAS auth records and option profiles (docs/qualys-api.md 3.10), and the portal version (1.4). */
import type { Route } from "../http/types.js";
import type { SimAuthRecord, SimWasOptionProfile } from "../model.js";
import type { FieldSpecs } from "../wire/filters.js";
import { type QNode, qcdata, qlist } from "../wire/qps.js";
import type { SimWorld } from "../world.js";
import { answer, objectRoutes } from "./qps-handler.js";

const CONTENTS = [
  "FORM_STANDARD",
  "FORM_CUSTOM",
  "FORM_SELENIUM",
  "SERVER_BASIC",
  "SERVER_DIGEST",
  "SERVER_NTLM",
] as const;

function authRecordSpecs(world: SimWorld): FieldSpecs<SimAuthRecord> {
  const usedBy = (r: SimAuthRecord) =>
    [...world.webApps.values()].some((w) => w.authRecordIds.includes(r.id));
  return {
    id: { type: "INTEGER", get: (r) => r.id },
    name: { type: "TEXT", get: (r) => r.name },
    tags: { type: "INTEGER", get: (r) => r.tags.map((t) => t.id), allowNone: true },
    "tags.name": { type: "TEXT", get: (r) => r.tags.map((t) => t.name) },
    "tags.id": { type: "INTEGER", get: (r) => r.tags.map((t) => t.id) },
    createdDate: { type: "DATE", get: (r) => r.createdDate },
    updatedDate: { type: "DATE", get: (r) => r.updatedDate },
    isUsed: { type: "BOOLEAN", get: usedBy },
    contents: { type: "KEYWORD", get: (r) => r.contents, keywords: CONTENTS },
  };
}

function renderAuthRecord(r: SimAuthRecord, verbose: boolean): QNode {
  const brief: Record<string, QNode> = {
    id: r.id,
    name: qcdata(r.name),
    owner: { id: r.owner.id },
    tags: { count: r.tags.length },
    createdDate: r.createdDate,
    updatedDate: r.updatedDate,
  };
  if (!verbose) return brief;
  const form = r.contents.startsWith("FORM_");
  return {
    ...brief,
    owner: {
      id: r.owner.id,
      username: r.owner.username,
      firstName: r.owner.firstName,
      lastName: r.owner.lastName,
    },
    formRecord: form
      ? { type: r.contents.replace("FORM_", ""), sslOnly: true, fields: { count: 2 } }
      : undefined,
    serverRecord: form ? undefined : { sslOnly: true, fields: { count: 1 } },
    comments: r.comments === null ? { count: 0 } : qlist("Comment", [{ contents: qcdata(r.comments) }]),
  };
}

function profileSpecs(): FieldSpecs<SimWasOptionProfile> {
  return {
    id: { type: "INTEGER", get: (p) => p.id },
    name: { type: "TEXT", get: (p) => p.name },
    "tags.name": { type: "TEXT", get: (p) => p.tags.map((t) => t.name) },
    "tags.id": { type: "INTEGER", get: (p) => p.tags.map((t) => t.id) },
    "owner.name": { type: "TEXT", get: (p) => `${p.owner.firstName} ${p.owner.lastName}` },
    "owner.username": { type: "TEXT", get: (p) => p.owner.username },
    isDefault: { type: "BOOLEAN", get: (p) => p.isDefault },
  };
}

function renderProfile(p: SimWasOptionProfile, verbose: boolean): QNode {
  const brief: Record<string, QNode> = {
    id: p.id,
    name: qcdata(p.name),
    owner: { id: p.owner.id },
    isDefault: p.isDefault,
    tags: { count: p.tags.length },
    createdDate: p.createdDate,
    updatedDate: p.updatedDate,
  };
  if (!verbose) return brief;
  return {
    ...brief,
    owner: {
      id: p.owner.id,
      username: p.owner.username,
      firstName: p.owner.firstName,
      lastName: p.owner.lastName,
    },
    formSubmission: "BOTH",
    maxCrawlRequests: 300,
    timeoutErrorThreshold: 100,
    unexpectedErrorThreshold: 300,
    bruteforceOption: "MINIMAL",
    performance: "LOW",
  };
}

export const configRoutes: Route[] = [
  ...objectRoutes({
    base: "3.0",
    api: "was",
    object: "webappauthrecord",
    element: "WebAppAuthRecord",
    module: "WAS",
    records: (ctx) => ctx.world.authRecords.values(),
    byId: (ctx, id) => ctx.world.authRecords.get(id),
    specs: (ctx) => authRecordSpecs(ctx.world),
    render: (_ctx, r, verbose) => renderAuthRecord(r, verbose),
  }),
  ...objectRoutes({
    base: "3.0",
    api: "was",
    object: "optionprofile",
    element: "OptionProfile",
    module: "WAS",
    records: (ctx) => ctx.world.wasOptionProfiles.values(),
    byId: (ctx, id) => ctx.world.wasOptionProfiles.get(id),
    specs: () => profileSpecs(),
    render: (_ctx, p, verbose) => renderProfile(p, verbose),
  }),
  {
    method: "GET",
    path: "/qps/rest/portal/version",
    family: "qps",
    module: null,
    // Element names as in the real recording (J1 fetchPortalInfo); the schema is /qps/xsd/version.xsd.
    handler: (req) => {
      const body = answer(req, "version", {
        responseCode: "SUCCESS",
        count: 1,
        data: [
          [
            "Portal-Version",
            {
              "PortalApplication-VERSION": "3.19.0.0-2 SIMULATOR",
              "ITAM-VERSION": "1.9.0.0-1",
              "CS-VERSION": "1.40.0.0-1",
              "CA-VERSION": "3.3.1.0",
              "QGS-VERSION": "1.9.0.0-1",
              "QUESTIONNAIRE-VERSION": "2.40.0.0",
              "WAF-VERSION": "2.20.0.0",
              "QUESTIONNAIRE__V2-VERSION": "1.20.0.0",
              "WAS-VERSION": "8.27.0.0",
              "FIM-VERSION": "3.8.0.0",
              "VM-VERSION": "1.0.3",
              "CERTVIEW-VERSION": "2.9.0.0-1",
              "CLOUDVIEW-VERSION": "2.10.0.0-1",
              "CM-VERSION": "1.40.0.0",
              "MDS-VERSION": "2.20.0.0",
              "PM-VERSION": "2.8.0.0-1",
              "PS-VERSION": "1.2.0.0-RELEASE",
              "IOC-VERSION": "3.9.0.0-1",
              "THREAT__PROTECT-VERSION": "1.2.0.0",
              "AV2-VERSION": "0.1.0",
              "UD-VERSION": "0.0.6",
            },
          ],
          [
            "QWeb-Version",
            { "WEB-VERSION": "10.31.1.0-1", "SCANNER-VERSION": "13.4.18-1", "VULNSIGS-VERSION": "2.6.120-2" },
          ],
        ],
      });
      return {
        ...body,
        body: String(body.body).replace("/qps/xsd/3.0/was/version.xsd", "/qps/xsd/version.xsd"),
      };
    },
  },
];
