/**
 * VM scans `/api/2.0/fo/scan/` (docs/qualys-api.md 4.3): launch, list, fetch (json_extended), cancel, pause,
 * resume, delete, and the lifecycle Queued -> Running -> Loading -> Finished | Error | Canceled.
 */

import { applyVmScanResults } from "../data/evolve.js";
import type { ApiRequest, ApiResponse, Route, SimContext } from "../http/types.js";
import type { SimHost, SimVmScan } from "../model.js";
import { v2DateTime } from "../wire/simple-return.js";
import { cdata, el, opt } from "../wire/xml.js";
import { allocateId, isoDate, type SimWorld } from "../world.js";
import { invalidValue, missing, parseV2Date, simpleReturn, V2Problem, v2Actions, v2Xml } from "./v2.js";

const TERMINAL = new Set(["Finished", "Error", "Canceled"]);

// ---------- Lifecycle ----------

export function tickVmScans(ctx: SimContext): void {
  const now = ctx.now();
  for (const scan of ctx.world.vmScans.values()) {
    if (TERMINAL.has(scan.state) || scan.state === "Paused") continue;
    if (scan.stuck) {
      if (scan.state === "Queued" && now >= scan.timeline.runningAt) scan.state = "Running";
      continue;
    }
    if (now >= scan.timeline.finishedAt) {
      scan.state = scan.outcome.state;
      scan.subState = scan.outcome.subState;
      scan.endDate = isoDate(now);
      scan.processed = scan.state === "Finished";
      if (scan.state === "Finished") {
        applyVmScanResults(ctx.world, scan, now);
        const found = (scan.results ?? []).some((r) => r.detections.some((d) => d.type !== "Ig"));
        if (scan.subState === null && !found) scan.subState = "No_Vuln";
      } else {
        scan.results = [];
      }
    } else if (now >= scan.timeline.loadingAt) scan.state = "Loading";
    else if (now >= scan.timeline.runningAt) scan.state = "Running";
  }
}

// ---------- Launch ----------

/** Expand `10.0.0.1,10.0.0.5-10.0.0.7` into addresses (small ranges only). */
function expandIps(raw: string): string[] {
  const out: string[] = [];
  for (const part of raw
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const range = /^(\d+\.\d+\.\d+\.)(\d+)-(\d+\.\d+\.\d+\.)(\d+)$/.exec(part);
    if (range?.[1] && range[2] && range[3] && range[4] && range[1] === range[3]) {
      const from = Number(range[2]);
      const to = Number(range[4]);
      if (to < from || to - from > 1024)
        throw invalidValue("ip", raw, `range too large or reversed: ${part}`);
      for (let n = from; n <= to; n++) out.push(`${range[1]}${n}`);
    } else if (/^\d{1,3}(\.\d{1,3}){3}$/.test(part) && part.split(".").every((o) => Number(o) <= 255)) {
      out.push(part);
    } else {
      throw invalidValue("ip", raw, `not an IPv4 address or range: ${part}`);
    }
  }
  return out;
}

function launch(req: ApiRequest, ctx: SimContext, params: URLSearchParams): ApiResponse {
  const { world } = ctx;
  const now = ctx.now();
  const title = params.get("scan_title") ?? "";
  if (title.length > 2000) throw invalidValue("scan_title", `${title.slice(0, 20)}...`, "too long");

  // Option profile: option_id or option_title; none means the subscription's default (as in Qualys' Jenkins
  // VM connector).
  const optionId = params.get("option_id");
  const optionTitle = params.get("option_title");
  if (optionId !== null && optionTitle !== null)
    throw new V2Problem(400, 1904, "Only one of these parameters may be specified: option_id, option_title");
  const profiles = [...world.vmOptionProfiles.values()];
  const profile =
    optionId !== null
      ? profiles.find((p) => String(p.id) === optionId)
      : optionTitle !== null
        ? profiles.find((p) => p.title === optionTitle)
        : profiles.find((p) => p.isDefault);
  if (!profile) {
    if (optionId !== null) throw invalidValue("option_id", optionId, "no such option profile");
    throw invalidValue("option_title", String(optionTitle), "no such option profile");
  }

  // Scanner.
  const scannerName = params.get("iscanner_name");
  const scannerId = params.get("iscanner_id");
  let scanner = "External";
  if (scannerName !== null || scannerId !== null) {
    const appliance = [...world.appliances.values()].find((a) =>
      scannerId !== null ? String(a.id) === scannerId : a.name === scannerName,
    );
    if (!appliance) {
      throw scannerId !== null
        ? invalidValue("iscanner_id", scannerId, "no such scanner appliance")
        : invalidValue("iscanner_name", String(scannerName), "no such scanner appliance");
    }
    if (appliance.status !== "Online")
      throw invalidValue("iscanner_name", appliance.name, "the scanner appliance is offline");
    scanner = appliance.name;
  } else if (params.get("scanners_in_network") === "1") {
    scanner = "All scanners in network";
  } else if (params.get("default_scanner") === "1") {
    scanner = "Default scanner";
  }

  const networkRaw = params.get("ip_network_id");
  if (networkRaw !== null && !world.networks.has(Number(networkRaw)))
    throw invalidValue("ip_network_id", networkRaw, "no such network");

  // Target: IPs, or EC2 instances (connector_name, ec2_endpoint and ec2_instance_ids together; JVM requires all three).
  const ipRaw = params.get("ip");
  const ec2Ids = params.get("ec2_instance_ids");
  const connectorName = params.get("connector_name");
  const endpoint = params.get("ec2_endpoint");
  let targetIps: string[] = [];
  let ec2: SimVmScan["ec2"] = null;
  if (ec2Ids !== null || connectorName !== null || endpoint !== null) {
    if (ec2Ids === null || connectorName === null || endpoint === null) missingEc2();
    const connector = [...world.connectors.values()].find((c) => c.name === connectorName);
    if (!connector) throw invalidValue("connector_name", String(connectorName), "no such connector");
    const instanceIds = String(ec2Ids)
      .split(",")
      .map((i) => i.trim())
      .filter(Boolean);
    for (const instanceId of instanceIds) {
      const asset = [...world.hostAssets.values()].find((a) => a.instanceId === instanceId);
      if (!asset) throw invalidValue("ec2_instance_ids", instanceId, "instance not found by the connector");
      if (asset.instanceState !== "RUNNING")
        throw invalidValue("ec2_instance_ids", instanceId, `instance is ${asset.instanceState}`);
      targetIps.push(asset.ip);
    }
    ec2 = { instanceIds, connectorName: String(connectorName), endpoint: String(endpoint) };
  } else {
    if (ipRaw === null && params.get("asset_group_ids") === null && params.get("fqdn") === null) {
      throw new V2Problem(
        400,
        1922,
        "Specify at least one of the following parameters: ip, asset_group_ids, asset_groups, fqdn, ec2_instance_ids",
      );
    }
    targetIps = ipRaw === null ? [] : expandIps(ipRaw);
    const known = new Set([...world.hosts.values()].map((h) => h.ip));
    for (const ip of targetIps) {
      if (!known.has(ip)) throw invalidValue("ip", ip, "IP address is not in your subscription");
    }
  }

  const hosts = targetIps
    .map((ip) => [...world.hosts.values()].find((h) => h.ip === ip))
    .filter((h): h is SimHost => Boolean(h));
  const id = allocateId(world, "vmScan");
  const d = ctx.options.scanDurationMs;
  const scan: SimVmScan = {
    id,
    ref: `scan/${Math.floor(now / 1000)}.${id}`,
    title: title || `API scan ${id}`,
    type: "API",
    userLogin: req.user?.username ?? "unknown",
    launchDate: isoDate(now),
    state: "Queued",
    subState: null,
    targetIps,
    ec2,
    optionProfile: { id: profile.id, title: profile.title, isDefault: profile.isDefault },
    scanner,
    networkId: networkRaw === null ? null : Number(networkRaw),
    timeline: { runningAt: now + d * 0.1, loadingAt: now + d * 0.85, finishedAt: now + d },
    outcome: outcomeFor(hosts),
    stuck: hosts.some((h) => h.scenario === "slow"),
    processed: false,
    endDate: null,
    results: null,
  };
  world.vmScans.set(id, scan);
  return simpleReturn(req, ctx, "New vm scan launched", [
    { key: "ID", value: id },
    { key: "REFERENCE", value: scan.ref },
  ]);
}

function missingEc2(): never {
  throw missing("ec2_instance_ids, connector_name, ec2_endpoint (all three are required for an EC2 scan)");
}

/** Several targets: any error host makes the scan Error; all hosts dead make it No_Host. */
function outcomeFor(hosts: SimHost[]): SimVmScan["outcome"] {
  if (hosts.some((h) => h.scenario === "error")) return { state: "Error", subState: null };
  if (hosts.length > 0 && hosts.every((h) => !h.alive)) return { state: "Finished", subState: "No_Host" };
  return { state: "Finished", subState: null };
}

// ---------- List ----------

function duration(scan: SimVmScan, now: number): string {
  if (scan.state === "Queued") return "Pending";
  if (!TERMINAL.has(scan.state)) return "Running";
  const seconds = Math.max(
    0,
    Math.round((Date.parse(scan.endDate ?? isoDate(now)) - Date.parse(scan.launchDate)) / 1000),
  );
  const hh = String(Math.floor(seconds / 3600)).padStart(2, "0");
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  const ss = String(seconds % 60).padStart(2, "0");
  return `${hh}:${mm}:${ss}`;
}

function targetText(scan: SimVmScan): string {
  return scan.targetIps.join(", ");
}

function list(req: ApiRequest, ctx: SimContext, params: URLSearchParams): ApiResponse {
  const now = ctx.now();
  const ref = params.get("scan_ref");
  const states = params
    .get("state")
    ?.split(",")
    .map((s) => s.trim());
  const after = params.get("launched_after_datetime");
  const before = params.get("launched_before_datetime");
  const afterMs = after === null ? undefined : parseV2Date("launched_after_datetime", after);
  const beforeMs = before === null ? undefined : parseV2Date("launched_before_datetime", before);
  const showLast = params.get("show_last") === "1";
  // By default only scans of the past 30 days are listed (list_vm_scans doc).
  const horizon = now - 30 * 86_400_000;
  let scans = [...ctx.world.vmScans.values()].filter((s) => {
    const launched = Date.parse(s.launchDate);
    if (ref !== null) return s.ref === ref;
    if (states && !states.includes(s.state)) return false;
    if (afterMs !== undefined && launched < afterMs) return false;
    if (beforeMs !== undefined && launched > beforeMs) return false;
    return afterMs !== undefined || launched >= horizon;
  });
  scans = scans.sort((a, b) => Date.parse(b.launchDate) - Date.parse(a.launchDate) || b.id - a.id);
  if (showLast) scans = scans.slice(0, 1);
  const children = [el("DATETIME", v2DateTime(now))];
  const response = scans.length
    ? el(
        "SCAN_LIST",
        ...scans.map((s) =>
          el(
            "SCAN",
            el("REF", s.ref),
            el("TYPE", s.type),
            el("TITLE", cdata(s.title)),
            el("USER_LOGIN", s.userLogin),
            el("LAUNCH_DATETIME", s.launchDate),
            el("DURATION", duration(s, now)),
            el("PROCESSING_PRIORITY", "0 - No Priority"),
            el("PROCESSED", s.processed ? 1 : 0),
            el("STATUS", el("STATE", s.state), opt("SUB_STATE", s.subState)),
            el("TARGET", cdata(targetText(s))),
            el(
              "OPTION_PROFILE",
              el("TITLE", cdata(s.optionProfile.title)),
              opt("DEFAULT_FLAG", s.optionProfile.isDefault ? 1 : null),
            ),
          ),
        ),
      )
    : null;
  return v2Xml(
    req,
    el("SCAN_LIST_OUTPUT", el("RESPONSE", ...children, response)),
    "/api/2.0/fo/scan/scan_list_output.dtd",
  );
}

// ---------- Fetch ----------

function usDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

function scanByRef(ctx: SimContext, params: URLSearchParams): SimVmScan {
  const ref = params.get("scan_ref");
  if (ref === null) throw missing("scan_ref");
  const scan = [...ctx.world.vmScans.values()].find((s) => s.ref === ref);
  if (!scan) throw invalidValue("scan_ref", ref, "scan not found");
  return scan;
}

function cvssText(base: number | undefined, vector: string | null | undefined): string | null {
  if (base === undefined) return null;
  return vector ? `${base} (${vector.replace(/^CVSS:\d\.\d\//, "")})` : String(base);
}

/** json_extended: `[header, summary, rows..., notes]` (docs/qualys-api.md 4.3). */
function fetchScan(req: ApiRequest, ctx: SimContext, params: URLSearchParams): ApiResponse {
  const scan = scanByRef(ctx, params);
  const format = params.get("output_format") ?? "csv";
  if (!["json", "json_extended", "csv", "csv_extended"].includes(format)) {
    throw invalidValue("output_format", format, "expected json, json_extended, csv or csv_extended");
  }
  if (scan.state !== "Finished") {
    // UNCONFIRMED wording: results exist only for finished scans.
    throw new V2Problem(409, 1905, `Scan results are not available: scan ${scan.ref} is ${scan.state}.`);
  }
  const extended = format.endsWith("extended");
  const world: SimWorld = ctx.world;
  const user = req.user;
  const header = {
    username: user?.username ?? "",
    name: `${user?.firstName ?? ""} ${user?.lastName ?? ""}`.trim(),
    role: "Manager",
    company: "Example Co.",
    add1: "1 Example Way",
    add2: null,
    city: "Foster City",
    state: "California",
    zip: "94404",
    country: "United States of America",
    scan_report_template_title: "Scan Results",
    result_date: usDate(ctx.now()),
  };
  const scannedIps = new Set((scan.results ?? []).map((r) => r.ip));
  const deadIps = scan.targetIps.filter((ip) => !scannedIps.has(ip));
  const summary = {
    status: scan.state,
    reference: scan.ref,
    scan_title: scan.title,
    type: "API",
    launch_date: usDate(Date.parse(scan.launchDate)),
    duration: duration(scan, ctx.now()),
    scanner_appliance: scan.scanner,
    network:
      scan.networkId === null ? "Global Default Network" : (world.networks.get(scan.networkId)?.name ?? null),
    ips: scan.targetIps.join(", "),
    excluded_ips: "",
    asset_groups: null,
    option_profile: scan.optionProfile.title,
    total_hosts: String(scan.targetIps.length),
    active_hosts: String(scannedIps.size),
  };
  const rows: Record<string, unknown>[] = [];
  for (const { ip, detections } of scan.results ?? []) {
    const host = [...world.hosts.values()].find((h) => h.ip === ip);
    for (const d of detections) {
      const kb = world.kb.get(d.qid);
      const row: Record<string, unknown> = {
        ip,
        dns: host?.dns ?? null,
        netbios: host?.netbios ?? null,
        os: host?.os ?? null,
        ip_status: "host scanned, found vuln",
        qid: d.qid,
        title: kb?.title ?? `QID ${d.qid}`,
        type: d.type,
        severity: String(d.severity),
        port: d.port === null ? null : String(d.port),
        protocol: d.protocol,
        fqdn: d.fqdn,
        ssl: d.ssl ? "yes" : "no",
        cve_id: kb && kb.cves.length > 0 ? kb.cves.join(",") : null,
        vendor_reference: kb && kb.vendorReferences.length > 0 ? kb.vendorReferences.join(",") : null,
        bugtraq_id: kb && kb.bugtraqIds.length > 0 ? kb.bugtraqIds.join(",") : null,
        cvss_base: cvssText(kb?.cvssV2?.base, kb?.cvssV2?.vector),
        cvss_temporal:
          kb?.cvssV2?.temporal === undefined || kb.cvssV2.temporal === null
            ? null
            : String(kb.cvssV2.temporal),
        cvss3_base: cvssText(kb?.cvssV3?.base, kb?.cvssV3?.vector),
        cvss3_temporal:
          kb?.cvssV3?.temporal === undefined || kb.cvssV3.temporal === null
            ? null
            : String(kb.cvssV3.temporal),
        threat: kb?.diagnosis ?? null,
        impact: kb?.consequence ?? null,
        solution: kb?.solution ?? null,
        exploitability: null,
        associated_malware: null,
        results: d.results,
        pci_vuln: kb?.pciFlag ? "yes" : "no",
        instance: null,
        category: kb?.category ?? null,
      };
      if (extended) row.os_cpe = null;
      rows.push(row);
    }
  }
  const notes = {
    target_distribution_across_scanner_appliances: `${scan.scanner} : ${scan.targetIps.join(", ")}`,
    hosts_not_scanned_host_not_alive_ip: deadIps.length > 0 ? deadIps.join(", ") : null,
    hosts_not_scanned_excluded_host_ip: null,
    hosts_not_scanned_hostname_not_found_ip: null,
    hosts_not_scanned_scan_discontinued_ip: null,
    no_vulnerabilities_match_your_filters_for_these_hosts:
      rows.length === 0 ? scan.targetIps.join(", ") : null,
  };
  if (format.startsWith("csv")) {
    const columns = rows[0] ? Object.keys(rows[0]) : ["ip", "qid", "title", "type", "severity"];
    const esc = (v: unknown) => `"${String(v ?? "").replaceAll('"', '""')}"`;
    const csv = [
      columns.map(esc).join(","),
      ...rows.map((r) => columns.map((c) => esc(r[c])).join(",")),
    ].join("\n");
    return { status: 200, contentType: "text/csv", body: `${csv}\n` };
  }
  return {
    status: 200,
    contentType: "application/json",
    body: JSON.stringify([header, summary, ...rows, notes]),
  };
}

// ---------- Cancel, pause, resume, delete ----------

function cancel(req: ApiRequest, ctx: SimContext, params: URLSearchParams): ApiResponse {
  const scan = scanByRef(ctx, params);
  if (TERMINAL.has(scan.state))
    throw new V2Problem(409, 1905, `Scan ${scan.ref} cannot be cancelled: it is ${scan.state}.`);
  scan.state = "Canceled";
  scan.stuck = false;
  scan.endDate = isoDate(ctx.now());
  scan.results = [];
  return simpleReturn(req, ctx, "Cancelling scan");
}

function pause(req: ApiRequest, ctx: SimContext, params: URLSearchParams): ApiResponse {
  const scan = scanByRef(ctx, params);
  if (scan.state !== "Running" && scan.state !== "Queued")
    throw new V2Problem(409, 1905, `Scan ${scan.ref} cannot be paused: it is ${scan.state}.`);
  scan.state = "Paused";
  return simpleReturn(req, ctx, "Pausing scan");
}

function resume(req: ApiRequest, ctx: SimContext, params: URLSearchParams): ApiResponse {
  const scan = scanByRef(ctx, params);
  if (scan.state !== "Paused")
    throw new V2Problem(409, 1905, `Scan ${scan.ref} cannot be resumed: it is ${scan.state}.`);
  scan.state = "Running";
  const remaining = Math.max(0, scan.timeline.finishedAt - ctx.now());
  scan.timeline = {
    runningAt: ctx.now(),
    loadingAt: ctx.now() + remaining * 0.85,
    finishedAt: ctx.now() + remaining,
  };
  return simpleReturn(req, ctx, "Resuming scan");
}

function remove(req: ApiRequest, ctx: SimContext, params: URLSearchParams): ApiResponse {
  const scan = scanByRef(ctx, params);
  if (!TERMINAL.has(scan.state))
    throw new V2Problem(409, 1905, `Scan ${scan.ref} cannot be deleted while it is ${scan.state}.`);
  ctx.world.vmScans.delete(scan.id);
  return simpleReturn(req, ctx, "Deleted scan");
}

export const vmScanRoutes: Route[] = [
  {
    method: "GET|POST",
    path: "/api/2.0/fo/scan",
    family: "v2",
    module: "VM",
    handler: v2Actions({ launch, list, fetch: fetchScan, cancel, pause, resume, delete: remove }),
  },
];
