/**
 * VM inventory a gate needs ids from (docs/qualys-api.md 4.3, 4.5): option profiles, scanner appliances,
 * networks, hosts and host detections, and `/msp/about.php` (docs/qualys-api.md 1.4). Layouts marked
 * UNCONFIRMED are documented choices.
 */
import type { ApiRequest, ApiResponse, Route, SimContext } from "../http/types.js";
import type { SimHost } from "../model.js";
import { v2DateTime } from "../wire/simple-return.js";
import { cdata, el, opt, type XmlElement, xmlDocument } from "../wire/xml.js";
import { flag, inRanges, invalidValue, parseIdList, v2Actions, v2Xml } from "./v2.js";

/** UNCONFIRMED layout: OPTION_PROFILES/OPTION_PROFILE/BASIC_INFO{ID, GROUP_NAME, GROUP_TYPE, USER_ID, IS_DEFAULT}. */
function optionProfiles(group: "user" | "pci") {
  return (req: ApiRequest, ctx: SimContext): ApiResponse => {
    const profiles = [...ctx.world.vmOptionProfiles.values()].filter((p) =>
      group === "pci" ? p.group === "pci" : p.group !== "pci",
    );
    const root = el(
      "OPTION_PROFILES",
      ...profiles.map((p) =>
        el(
          "OPTION_PROFILE",
          el(
            "BASIC_INFO",
            el("ID", p.id),
            el("GROUP_NAME", cdata(p.title)),
            el("GROUP_TYPE", p.group),
            el("USER_ID", cdata(p.owner)),
            el("UNIT_ID", 0),
            el("SUBSCRIPTION_ID", 1001),
            el("IS_DEFAULT", p.isDefault ? 1 : 0),
            el("IS_GLOBAL", 1),
            el("IS_OFFLINE_SYNCABLE", 0),
            el("UPDATE_DATE", "N/A"),
          ),
        ),
      ),
    );
    return {
      status: 200,
      contentType: "application/xml",
      body: xmlDocument(root, {
        doctype: `<!DOCTYPE OPTION_PROFILES SYSTEM "${req.url.origin}/api/2.0/fo/subscription/option_profile/${group === "pci" ? "pci" : "vm"}/option_profile_info.dtd">`,
        indent: true,
      }),
    };
  };
}

function appliances(req: ApiRequest, ctx: SimContext, params: URLSearchParams): ApiResponse {
  const full = params.get("output_mode") === "full";
  const provider = params.get("platform_provider");
  const cloudInfo = flag(params, "include_cloud_info");
  const list = [...ctx.world.appliances.values()].filter((a) =>
    provider === "ec2" ? a.type === "ec2" : true,
  );
  const children = [el("DATETIME", v2DateTime(ctx.now()))];
  const applianceList = list.length
    ? el(
        "APPLIANCE_LIST",
        ...list.map((a) =>
          el(
            "APPLIANCE",
            el("ID", a.id),
            el("UUID", `00000000-0000-4000-8000-${String(a.id).padStart(12, "0")}`),
            el("NAME", cdata(a.name)),
            opt("NETWORK_ID", a.networkId),
            el("SOFTWARE_VERSION", "2.7"),
            el("RUNNING_SLICES_COUNT", 0),
            el(
              "RUNNING_SCAN_COUNT",
              [...ctx.world.vmScans.values()].filter((s) => s.scanner === a.name && s.state === "Running")
                .length,
            ),
            el("STATUS", a.status),
            full ? el("MODEL_NUMBER", a.type === "physical" ? "QGPSA-4" : "vScanner") : null,
            full
              ? el("TYPE", a.type === "ec2" ? "Virtual" : a.type === "physical" ? "Physical" : "Virtual")
              : null,
            full ? el("INTERFACE_SETTINGS", el("INTERFACE", "lan"), el("IP_ADDRESS", a.ip)) : null,
            cloudInfo && a.type === "ec2"
              ? el(
                  "CLOUD_INFO",
                  el("PLATFORM_PROVIDER", "ec2"),
                  el("EC2_INFO", el("ACCOUNT_ID", "123456789000"), el("REGION", "us-east-1")),
                )
              : null,
          ),
        ),
      )
    : null;
  return v2Xml(
    req,
    el("APPLIANCE_LIST_OUTPUT", el("RESPONSE", ...children, applianceList)),
    "/api/2.0/fo/appliance/appliance_list_output.dtd",
  );
}

function networks(req: ApiRequest, ctx: SimContext): ApiResponse {
  const list = [...ctx.world.networks.values()];
  return v2Xml(
    req,
    el(
      "NETWORK_LIST_OUTPUT",
      el(
        "RESPONSE",
        el("DATETIME", v2DateTime(ctx.now())),
        list.length
          ? el("NETWORK_LIST", ...list.map((n) => el("NETWORK", el("ID", n.id), el("NAME", cdata(n.name)))))
          : null,
      ),
    ),
    "/api/2.0/fo/network/network_list_output.dtd",
  );
}

/** Hosts selected by `ids`, `ips`, `id_min`; truncation with WARNING 1980 (docs/qualys-api.md 4.5). */
function selectHosts(
  ctx: SimContext,
  params: URLSearchParams,
): { hosts: SimHost[]; next: number | undefined; limit: number } {
  const ids = params.get("ids");
  const ranges = ids ? parseIdList("ids", ids) : undefined;
  const ips = params
    .get("ips")
    ?.split(",")
    .map((ip) => ip.trim());
  const idMinRaw = params.get("id_min");
  if (idMinRaw !== null && !/^\d+$/.test(idMinRaw))
    throw invalidValue("id_min", idMinRaw, "not a positive integer");
  const idMin = idMinRaw === null ? undefined : Number(idMinRaw);
  const limitRaw = params.get("truncation_limit");
  // Default page size 1,000; 0 means no truncation (DOC host_list page).
  const limit = limitRaw === null ? 1000 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 0)
    throw invalidValue("truncation_limit", String(limitRaw), "expected a non-negative integer");
  const hosts: SimHost[] = [];
  let next: number | undefined;
  for (const h of ctx.world.hosts.values()) {
    if (ranges && !inRanges(h.id, ranges)) continue;
    if (ips && !ips.includes(h.ip)) continue;
    if (idMin !== undefined && h.id < idMin) continue;
    if (limit > 0 && hosts.length === limit) {
      next = h.id;
      break;
    }
    hosts.push(h);
  }
  return { hosts, next, limit };
}

function truncationWarning(
  req: ApiRequest,
  params: URLSearchParams,
  next: number | undefined,
  limit: number,
): XmlElement | null {
  if (next === undefined) return null;
  const url = new URL(req.url.pathname, req.url.origin);
  for (const [key, value] of params) if (key !== "id_min") url.searchParams.set(key, value);
  url.searchParams.set("id_min", String(next));
  return el(
    "WARNING",
    el("CODE", 1980),
    el("TEXT", `${limit} record limit exceeded. Use URL to get next batch of results.`),
    el("URL", cdata(url.toString())),
  );
}

function hostList(req: ApiRequest, ctx: SimContext, params: URLSearchParams): ApiResponse {
  const { hosts, next, limit } = selectHosts(ctx, params);
  const details = params.get("details") ?? "Basic";
  const body = hosts.length
    ? details === "None"
      ? el("ID_SET", ...hosts.map((h) => el("ID", h.id)))
      : el(
          "HOST_LIST",
          ...hosts.map((h) =>
            el(
              "HOST",
              el("ID", h.id),
              el("IP", h.ip),
              el("TRACKING_METHOD", h.ec2InstanceId ? "EC2" : "IP"),
              opt("NETWORK_ID", h.networkId),
              h.dns ? el("DNS", cdata(h.dns)) : null,
              h.netbios ? el("NETBIOS", cdata(h.netbios)) : null,
              el("OS", cdata(h.os)),
              opt("LAST_VULN_SCAN_DATETIME", h.lastScanDate),
            ),
          ),
        )
    : null;
  return v2Xml(
    req,
    el(
      "HOST_LIST_OUTPUT",
      el(
        "RESPONSE",
        el("DATETIME", v2DateTime(ctx.now())),
        body,
        truncationWarning(req, params, next, limit),
      ),
    ),
    "/api/2.0/fo/asset/host/host_list_output.dtd",
  );
}

const DETECTION_TYPE = { Vuln: "Confirmed", Practice: "Potential", Ig: "Info" } as const;

function detectionList(req: ApiRequest, ctx: SimContext, params: URLSearchParams): ApiResponse {
  const { hosts, next, limit } = selectHosts(ctx, params);
  const showIgs = flag(params, "show_igs");
  const withDetections = hosts
    .map((h) => ({ h, detections: h.detections.filter((d) => showIgs || d.type !== "Ig") }))
    .filter((x) => x.detections.length > 0);
  const body = withDetections.length
    ? el(
        "HOST_LIST",
        ...withDetections.map(({ h, detections }) =>
          el(
            "HOST",
            el("ID", h.id),
            el("IP", h.ip),
            el("TRACKING_METHOD", h.ec2InstanceId ? "EC2" : "IP"),
            el("OS", cdata(h.os)),
            h.dns ? el("DNS", cdata(h.dns)) : null,
            h.netbios ? el("NETBIOS", cdata(h.netbios)) : null,
            opt("LAST_SCAN_DATETIME", h.lastScanDate),
            opt("LAST_VM_SCANNED_DATE", h.lastScanDate),
            el(
              "DETECTION_LIST",
              ...detections.map((d) =>
                el(
                  "DETECTION",
                  el("QID", d.qid),
                  el("TYPE", DETECTION_TYPE[d.type]),
                  el("SEVERITY", d.severity),
                  opt("PORT", d.port),
                  opt("PROTOCOL", d.protocol),
                  el("SSL", d.ssl ? 1 : 0),
                  el("RESULTS", cdata(d.results)),
                  d.type === "Ig" ? null : el("STATUS", d.status),
                  el("FIRST_FOUND_DATETIME", d.firstFound),
                  el("LAST_FOUND_DATETIME", d.lastFound),
                  el("TIMES_FOUND", d.timesFound),
                  el("LAST_TEST_DATETIME", d.lastFound),
                  el("LAST_UPDATE_DATETIME", d.lastFound),
                  el("IS_IGNORED", 0),
                  el("IS_DISABLED", 0),
                  el("LAST_PROCESSED_DATETIME", d.lastFound),
                ),
              ),
            ),
          ),
        ),
      )
    : null;
  return v2Xml(
    req,
    el(
      "HOST_LIST_VM_DETECTION_OUTPUT",
      el(
        "RESPONSE",
        el("DATETIME", v2DateTime(ctx.now())),
        body,
        truncationWarning(req, params, next, limit),
      ),
    ),
    "/api/2.0/fo/asset/host/vm/detection/host_list_vm_detection_output.dtd",
  );
}

/** API v1 `/msp/about.php` (UNCONFIRMED layout): ABOUT{API-VERSION, WEB-VERSION, SCANNER-VERSION, VULNSIGS-VERSION}. */
function about(req: ApiRequest): ApiResponse {
  const root = el(
    "ABOUT",
    el("API-VERSION", "MAJOR: 1 MINOR: 0"),
    el("WEB-VERSION", "10.31.1.0-1"),
    el("SCANNER-VERSION", "13.4.18-1"),
    el("VULNSIGS-VERSION", "2.6.120-2"),
    el("VULNSIGS-SCA-VERSION", "2.6.120-2"),
  );
  return {
    status: 200,
    contentType: "text/xml",
    body: xmlDocument(root, {
      doctype: `<!DOCTYPE ABOUT SYSTEM "${req.url.origin}/about.dtd">`,
      indent: true,
    }),
  };
}

const v2 = (path: string, module: "VM" | "KB", handler: Route["handler"]): Route[] =>
  [path, path.replace("/api/2.0/", "/api/3.0/")].map((p) => ({
    method: "GET|POST" as const,
    path: p,
    family: "v2" as const,
    module,
    handler,
  }));

export const inventoryRoutes: Route[] = [
  {
    method: "GET|POST",
    path: "/api/2.0/fo/subscription/option_profile/vm",
    family: "v2",
    module: "VM",
    handler: v2Actions({ list: optionProfiles("user") }),
  },
  {
    method: "GET|POST",
    path: "/api/2.0/fo/subscription/option_profile/pci",
    family: "v2",
    module: "VM",
    handler: v2Actions({ list: optionProfiles("pci") }),
  },
  {
    method: "GET|POST",
    path: "/api/2.0/fo/appliance",
    family: "v2",
    module: "VM",
    handler: v2Actions({ list: appliances }),
  },
  {
    method: "GET|POST",
    path: "/api/2.0/fo/network",
    family: "v2",
    module: "VM",
    handler: v2Actions({ list: networks }),
  },
  ...v2("/api/2.0/fo/asset/host", "VM", v2Actions({ list: hostList })),
  ...v2("/api/2.0/fo/asset/host/vm/detection", "VM", v2Actions({ list: detectionList })),
  { method: "GET|POST", path: "/msp/about.php", family: "msp", module: null, handler: about },
];
