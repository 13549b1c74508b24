/**
 * The seeded subscription: scenario targets (always present, documented in the README) plus generated web apps,
 * findings, KnowledgeBase entries, hosts and EC2 assets. Same seed and options give the same world; dates are
 * spread over the 180 days before the generation instant.
 */
import type {
  Severity,
  SimFinding,
  SimHost,
  SimHostDetection,
  SimKbVuln,
  SimOwner,
  SimUser,
  SimWasScan,
  SimWebApp,
  VmScenario,
  WasScenario,
} from "../model.js";
import type { ResolvedOptions } from "../options.js";
import { Random } from "../random.js";
import { allocateId, emptyWorld, isoDate, type SimWorld } from "../world.js";
import {
  APP_NAMES,
  DOMAINS,
  HOSTILE,
  OS_NAMES,
  OWNERS,
  owaspEntry,
  PARAMS,
  VENDORS,
  VM_QID_BLOCKS,
  WAS_QIDS,
  type WasQidSpec,
  wascEntry,
} from "./catalog.js";
import { seedSavedReports } from "./seed-reports.js";

const DAY = 86_400_000;

export const WAS_SCENARIOS: readonly WasScenario[] = [
  "clean",
  "vulnerable",
  "error",
  "canceled",
  "no-host",
  "time-limit",
  "slow",
  "running",
];

export const VM_SCENARIO_HOSTS: readonly { ip: string; scenario: VmScenario }[] = [
  { ip: "10.250.0.1", scenario: "clean" },
  { ip: "10.250.0.2", scenario: "vulnerable" },
  { ip: "10.250.0.3", scenario: "no-host" },
  { ip: "10.250.0.4", scenario: "error" },
  { ip: "10.250.0.5", scenario: "slow" },
];

export function seedWorld(options: ResolvedOptions, users: SimUser[]): SimWorld {
  const rng = new Random(options.seed);
  const world = emptyWorld(new Random(options.seed ^ 0x00c0ffee), users);
  const now = options.now();
  const past = (maxDays: number, minDays = 0) =>
    now - rng.int(minDays * DAY, maxDays * DAY) - rng.int(0, DAY);

  seedWasConfiguration(world, rng, past);
  seedKnowledgeBase(world, rng, options.kbSize, past);

  // Scenario web apps first, so they get the first ids.
  for (const scenario of WAS_SCENARIOS) {
    const app = newWebApp(
      world,
      rng,
      `scenario-${scenario}`,
      `https://${scenario}.scenario.example/`,
      past,
      scenario,
    );
    if (scenario === "vulnerable") seedVulnerableFindings(world, rng, app, past);
    else if (scenario !== "error" && scenario !== "canceled")
      seedFindings(world, rng, app, 6, past, scenario === "clean");
    if (scenario === "running") startStuckScan(world, app, now);
  }
  for (let i = 0; i < options.webapps; i++) {
    const base = APP_NAMES[i % APP_NAMES.length] ?? "App";
    const name = i < APP_NAMES.length ? base : `${base} ${Math.floor(i / APP_NAMES.length) + 1}`;
    const domain = rng.pick(DOMAINS);
    const slug = `app${i + 1}`;
    // A few web apps carry hostile or very long values, as real subscriptions do.
    const url =
      i % 11 === 3
        ? `https://${slug}.${domain}/search?q=${encodeURIComponent(rng.pick(HOSTILE))}`
        : `https://${slug}.${domain}/`;
    const app = newWebApp(
      world,
      rng,
      i % 13 === 5 ? `${name} ${"long-name ".repeat(20).trim()}` : name,
      url,
      past,
      null,
    );
    seedFindings(world, rng, app, options.findingsPerWebapp, past, false);
  }

  seedVm(world, rng, options.hosts, past);
  seedSavedReports(world, options, now);
  return world;
}

// ---------- WAS ----------

function owner(rng: Random): SimOwner {
  return { ...rng.pick(OWNERS) };
}

function seedWasConfiguration(
  world: SimWorld,
  rng: Random,
  past: (max: number, min?: number) => number,
): void {
  const profiles = [
    "Initial WAS Options",
    "Full Crawl - Standard",
    "Quick Scan (Light)",
    "Authenticated Deep Scan",
  ];
  profiles.forEach((name, i) => {
    const id = allocateId(world, "wasOptionProfile");
    const created = past(400, 200);
    world.wasOptionProfiles.set(id, {
      id,
      name,
      owner: owner(rng),
      isDefault: i === 0,
      tags: [],
      createdDate: isoDate(created),
      updatedDate: isoDate(created + rng.int(0, 100) * DAY),
    });
  });
  const records = [
    ["Standard login form", "FORM_STANDARD"],
    ["SSO Selenium script", "FORM_SELENIUM"],
    ["Basic auth (staging)", "SERVER_BASIC"],
    ["NTLM Test", "SERVER_NTLM"],
  ] as const;
  for (const [name, contents] of records) {
    const id = allocateId(world, "authRecord");
    const created = past(300, 100);
    world.authRecords.set(id, {
      id,
      name,
      contents,
      owner: owner(rng),
      tags: [],
      comments: null,
      createdDate: isoDate(created),
      updatedDate: isoDate(created + rng.int(0, 50) * DAY),
    });
  }
}

export function newWebApp(
  world: SimWorld,
  rng: Random,
  name: string,
  url: string,
  past: (max: number, min?: number) => number,
  scenario: WasScenario | null,
): SimWebApp {
  const id = allocateId(world, "webApp");
  const created = past(180, 60);
  const updated = Math.min(created + rng.int(0, 50) * DAY, past(30));
  const profileIds = [...world.wasOptionProfiles.keys()];
  const authIds = [...world.authRecords.keys()];
  const tagPool = [
    { id: 4001, name: "Production" },
    { id: 4002, name: "PCI" },
    { id: 4003, name: "Internet-facing" },
    { id: 4004, name: "Team: Payments" },
  ];
  const app: SimWebApp = {
    id,
    name,
    url,
    uris: rng.chance(0.3) ? [`${url.replace(/\/$/, "")}/api/`] : [],
    os: rng.chance(0.7) ? rng.pick(OS_NAMES) : null,
    owner: owner(rng),
    scope: rng.pick(["ALL", "DOMAINS", "SUBDOMAIN"] as const),
    tags: rng.sample(tagPool, rng.int(0, 2)),
    createdDate: isoDate(created),
    updatedDate: isoDate(Math.max(created, updated)),
    isScheduled: rng.chance(0.3),
    riskScore: rng.int(0, 1000),
    defaultProfileId: profileIds[0] ?? 0,
    defaultScanner: rng.chance(0.8)
      ? { type: "EXTERNAL" }
      : { type: "INTERNAL", friendlyName: "scanner-dc1" },
    authRecordIds: scenario === "clean" || rng.chance(0.5) ? rng.sample(authIds, 1) : [],
    comments: rng.chance(0.2) ? `Owner note: ${rng.pick(HOSTILE)}` : null,
    lastScanId: null,
    scenario,
  };
  world.webApps.set(id, app);
  return app;
}

function startStuckScan(world: SimWorld, app: SimWebApp, now: number): void {
  const id = allocateId(world, "wasScan");
  const scan: SimWasScan = {
    id,
    name: `${app.name} nightly`,
    reference: `was/${now}.${id}`,
    type: "VULNERABILITY",
    mode: "SCHEDULED",
    webAppId: app.id,
    authRecordId: app.authRecordIds[0] ?? null,
    profileId: app.defaultProfileId,
    scanner: { type: "EXTERNAL" },
    cancelAfterNHours: null,
    launchedDate: isoDate(now - 3_600_000),
    launchedBy: { id: 17729931, username: "sec_owner", firstName: "Sam", lastName: "Owner" },
    status: "RUNNING",
    timeline: {
      runningAt: now - 3_500_000,
      processingAt: Number.MAX_SAFE_INTEGER,
      finishedAt: Number.MAX_SAFE_INTEGER,
    },
    outcome: { status: "FINISHED", resultsStatus: "FINISHED", authStatus: "NONE" },
    stuck: true,
    endScanDate: null,
    resultsStatus: null,
    authStatus: null,
    canceledBy: null,
    cancelMode: null,
    summary: null,
    results: null,
  };
  world.wasScans.set(id, scan);
  app.lastScanId = id;
}

function specsOf(type: SimFinding["type"]): WasQidSpec[] {
  return WAS_QIDS.filter((s) => s.type === type);
}

function seedVulnerableFindings(
  world: SimWorld,
  rng: Random,
  app: SimWebApp,
  past: (max: number, min?: number) => number,
): void {
  // At least one vulnerability of every severity, some potential, plus sensitive content and information gathered.
  for (const severity of [1, 2, 3, 4, 5] as const) {
    const spec = WAS_QIDS.find((s) => s.type === "VULNERABILITY" && s.severity === severity);
    if (!spec) continue;
    makeFinding(world, rng, app, spec, past, { status: "ACTIVE", potential: false, isIgnored: false });
    makeFinding(world, rng, app, spec, past, { status: "NEW", potential: true, isIgnored: false });
  }
  for (const spec of specsOf("SENSITIVE_CONTENT"))
    makeFinding(world, rng, app, spec, past, { status: "NEW" });
  for (const spec of specsOf("INFORMATION_GATHERED").slice(0, 5))
    makeFinding(world, rng, app, spec, past, {});
}

function seedFindings(
  world: SimWorld,
  rng: Random,
  app: SimWebApp,
  count: number,
  past: (max: number, min?: number) => number,
  informationOnly: boolean,
): void {
  const vulns = specsOf("VULNERABILITY");
  const sensitive = specsOf("SENSITIVE_CONTENT");
  const igs = specsOf("INFORMATION_GATHERED");
  for (let i = 0; i < count; i++) {
    const roll = rng.next();
    const pool = informationOnly ? igs : roll < 0.7 ? vulns : roll < 0.8 ? sensitive : igs;
    makeFinding(world, rng, app, rng.pick(pool), past, {});
  }
}

interface FindingOverrides {
  status?: SimFinding["status"];
  potential?: boolean;
  isIgnored?: boolean;
}

const STATUS_WEIGHTS: readonly [NonNullable<SimFinding["status"]>, number][] = [
  ["NEW", 0.25],
  ["ACTIVE", 0.45],
  ["REOPENED", 0.1],
  ["FIXED", 0.2],
];

function pickStatus(rng: Random): NonNullable<SimFinding["status"]> {
  let roll = rng.next();
  for (const [status, weight] of STATUS_WEIGHTS) {
    if (roll < weight) return status;
    roll -= weight;
  }
  return "ACTIVE";
}

export function makeFinding(
  world: SimWorld,
  rng: Random,
  app: SimWebApp,
  spec: WasQidSpec,
  past: (max: number, min?: number) => number,
  overrides: FindingOverrides,
): SimFinding {
  const id = allocateId(world, "finding");
  const kb = world.kb.get(spec.qid);
  const isIg = spec.type === "INFORMATION_GATHERED";
  const first = past(170, 10);
  const last = Math.max(first, past(9));
  const status = isIg ? null : (overrides.status ?? pickStatus(rng));
  const hostile = rng.chance(0.35) ? rng.pick(HOSTILE) : null;
  const param = spec.type === "VULNERABILITY" && rng.chance(0.6) ? rng.pick(PARAMS) : null;
  const base = app.url.replace(/\/$/, "");
  const path = rng.pick([
    "/",
    "/login",
    "/search",
    "/account/profile",
    "/api/v1/orders",
    "/cart?item=42",
    "/files/download",
  ]);
  const url = isIg
    ? null
    : `${base}${path}${hostile && param ? `${path.includes("?") ? "&" : "?"}${param}=${encodeURIComponent(hostile)}` : ""}`;
  const ignored = !isIg && (overrides.isIgnored ?? rng.chance(0.05));
  const payloadText = hostile ?? (spec.group === "SQL" ? "' AND SLEEP(5)-- " : `"'><qss a=X158497377Y1_1Z>`);
  const finding: SimFinding = {
    id,
    uniqueId: rng.uuid(),
    qid: spec.qid,
    name: kb?.title ?? spec.title,
    type: spec.type,
    potential: overrides.potential ?? (spec.type === "VULNERABILITY" && rng.chance(0.2)),
    findingType: "QUALYS",
    param,
    severity: spec.severity,
    url,
    status,
    group: spec.group,
    owasp: spec.owasp.map(owaspEntry),
    wasc: spec.wasc.map(wascEntry),
    cwe: [...spec.cwe],
    cvssV3:
      spec.type === "VULNERABILITY" && rng.chance(0.7)
        ? {
            base: cvssFor(spec.severity, rng),
            temporal: cvssFor(spec.severity, rng) - 0.3,
            attackVector: "Network",
          }
        : null,
    detectionScore: rng.int(1, 100),
    firstDetectedDate: isoDate(first),
    lastDetectedDate: isoDate(last),
    lastTestedDate: isoDate(last),
    updatedDate: isoDate(last),
    fixedDate: status === "FIXED" ? isoDate(last) : null,
    timesDetected: rng.int(1, 30),
    webAppId: app.id,
    isIgnored: ignored,
    ignoredReason: ignored ? rng.pick(["FALSE_POSITIVE", "RISK_ACCEPTED", "NOT_APPLICABLE"] as const) : null,
    ignoredDate: ignored ? isoDate(last) : null,
    ignoredComment: ignored ? "Accepted by the application owner until the next release" : null,
    results: isIg
      ? [
          {
            authentication: false,
            ajax: false,
            formLocation: null,
            accessPath: [],
            payloads: [
              {
                payload: "",
                request: { method: "GET", link: `${base}/`, headers: "", body: "" },
                response: igData(spec.qid, base, rng),
              },
            ],
          },
        ]
      : [
          {
            authentication: app.authRecordIds.length > 0 && rng.chance(0.4),
            ajax: rng.chance(0.1),
            formLocation: param && rng.chance(0.5) ? `${base}${path}` : null,
            accessPath: rng.chance(0.4) ? [`${base}/`, `${base}${path}`] : [],
            payloads: [
              {
                payload: payloadText,
                request: {
                  method: param && rng.chance(0.3) ? "POST" : "GET",
                  link: url ?? `${base}/`,
                  headers: `Host: ${new URL(app.url).host}\nUser-Agent: Mozilla/5.0 (Qualys WAS)\nAccept: */*\n`,
                  body: param ? `${param}=${encodeURIComponent(payloadText)}` : "",
                },
                response: `HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>Results for ${payloadText}</p><p>Ünïcödé ✓ 日本語</p></body></html>`,
              },
            ],
          },
        ],
    scanIds: [],
  };
  world.findings.set(id, finding);
  return finding;
}

function igData(qid: number, base: string, rng: Random): string {
  switch (qid) {
    case 150009:
      return `Duration of crawl phase (seconds): ${rng.int(30, 900)}.00\nNumber of links: ${rng.int(5, 400)}\n${base}/\n${base}/login\n${base}/search`;
    case 150028:
      return `Cookie: session_id=<redacted>; path=/; HttpOnly\nCookie: locale=en-US; path=/`;
    case 6:
      return `IP address\tHost name\n203.0.113.${rng.int(1, 254)}\t${new URL(base).host}`;
    default:
      return `Scan diagnostics for ${base}: ${rng.int(100, 20000)} requests sent, ${rng.int(0, 5)} errors.`;
  }
}

function cvssFor(severity: Severity, rng: Random): number {
  const ranges: Record<Severity, [number, number]> = {
    1: [1, 3.9],
    2: [3, 5.4],
    3: [4, 6.9],
    4: [7, 8.9],
    5: [9, 10],
  };
  const [lo, hi] = ranges[severity];
  return Math.round((lo + rng.next() * (hi - lo)) * 10) / 10;
}

// ---------- KnowledgeBase ----------

const CVSS2_VECTORS = [
  "AV:N/AC:L/Au:N/C:P/I:P/A:P",
  "AV:N/AC:M/Au:N/C:P/I:N/A:N",
  "AV:L/AC:L/Au:S/C:C/I:C/A:C",
];
const CVSS3_VECTORS = [
  "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
  "AV:N/AC:H/PR:N/UI:R/S:C/C:L/I:L/A:N",
  "AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
];

function seedKnowledgeBase(
  world: SimWorld,
  rng: Random,
  kbSize: number,
  past: (max: number, min?: number) => number,
): void {
  for (const spec of WAS_QIDS) addKbEntry(world, kbEntryForWas(rng, spec, past));
  // VM QIDs: the scenario hosts need every severity with CVEs, CVSS v2 and v3 and PCI flags.
  let i = 0;
  while (world.kb.size < Math.max(kbSize, WAS_QIDS.length + 60)) {
    const block = VM_QID_BLOCKS[i % VM_QID_BLOCKS.length];
    if (!block) break;
    const qid = block.start + Math.floor(i / VM_QID_BLOCKS.length) * 3 + rng.int(0, 2);
    i += 1;
    if (world.kb.has(qid)) continue;
    addKbEntry(world, kbEntryForVm(rng, qid, block.category, rng.pick(block.titles), past, i));
  }
  sortKb(world);
}

function addKbEntry(world: SimWorld, entry: SimKbVuln): void {
  world.kb.set(entry.qid, entry);
}

/** Inserting keeps the map in QID order (KB listings are by ascending QID). */
export function sortKb(world: SimWorld): void {
  const sorted = [...world.kb.values()].sort((a, b) => a.qid - b.qid);
  world.kb = new Map(sorted.map((v) => [v.qid, v]));
}

function kbEntryForWas(
  rng: Random,
  spec: WasQidSpec,
  past: (max: number, min?: number) => number,
): SimKbVuln {
  const published = past(2000, 300);
  const isVuln = spec.type === "VULNERABILITY";
  return {
    qid: spec.qid,
    vulnType: isVuln
      ? "Vulnerability"
      : spec.type === "INFORMATION_GATHERED"
        ? "Information Gathered"
        : "Vulnerability",
    severity: spec.severity,
    title: spec.title,
    category: "Web Application",
    group: spec.group,
    lastServiceModificationDate: isoDate(Math.max(published, past(200, 5))),
    publishedDate: isoDate(published),
    codeModifiedDate: rng.chance(0.5) ? isoDate(published + DAY) : null,
    patchable: false,
    cves:
      spec.qid === 150440
        ? ["CVE-2021-44228", "CVE-2021-45046 "]
        : spec.qid === 150524
          ? ["CVE-2022-22965"]
          : [],
    bugtraqIds: [],
    vendorReferences: [],
    software: [],
    diagnosis: `<P>${spec.title} was detected.</P><P>The scanner sent a crafted request and the response showed the issue.<BR>See the payload and response for evidence.</P>`,
    consequence: isVuln
      ? "<P>An attacker could exploit this to compromise users or data of the application.</P>"
      : "<P>No direct consequence; this information helps an attacker map the application.</P>",
    solution: isVuln
      ? "<P>Validate and encode all user input on the server. Apply the vendor's guidance.</P>"
      : "<P>No action is required.</P>",
    cvssV2: isVuln
      ? {
          base: cvssFor(spec.severity, rng),
          temporal: null,
          vector: rng.chance(0.8) ? `CVSS:2.0/${rng.pick(CVSS2_VECTORS)}` : null,
        }
      : null,
    cvssV3:
      isVuln && rng.chance(0.85)
        ? { base: cvssFor(spec.severity, rng), temporal: null, vector: `CVSS:3.1/${rng.pick(CVSS3_VECTORS)}` }
        : null,
    pciFlag: isVuln && spec.severity >= 3,
    threatIntel: spec.severity >= 4 ? ["Easy_Exploit", "Public_Exploit"] : [],
    owasp: spec.owasp.map(owaspEntry),
    wasc: spec.wasc.map(wascEntry),
    cwe: [...spec.cwe],
    discoveryRemote: true,
    authTypes: [],
    supportedModules: ["WAS"],
  };
}

function kbEntryForVm(
  rng: Random,
  qid: number,
  category: string,
  title: string,
  past: (max: number, min?: number) => number,
  index: number,
): SimKbVuln {
  // Cycle severities so that every severity exists among the first entries.
  const severity = ((index % 5) + 1) as Severity;
  const published = past(2500, 30);
  const vulnType = rng.pick([
    "Vulnerability",
    "Vulnerability or Potential Vulnerability",
    "Potential Vulnerability",
  ] as const);
  const year = 2016 + (qid % 9);
  const cveCount = severity >= 2 ? rng.int(1, 3) : 0;
  const cves: string[] = [];
  for (let c = 0; c < cveCount; c++) {
    const cve = `CVE-${year}-${1000 + ((qid * 7 + c * 131) % 40000)}`;
    // Brinqa's Qualys WAS connector changelog: some CVE ids arrive with trailing spaces.
    cves.push(rng.chance(0.15) ? `${cve} ` : cve);
  }
  const software = rng.pick(VENDORS);
  return {
    qid,
    vulnType,
    severity,
    title: `${title} (QID ${qid})`,
    category,
    group: null,
    lastServiceModificationDate: isoDate(Math.max(published, past(120, 1))),
    publishedDate: isoDate(published),
    codeModifiedDate: rng.chance(0.5) ? isoDate(published + 2 * DAY) : null,
    patchable: rng.chance(0.7),
    cves,
    bugtraqIds: rng.chance(0.2) ? [String(rng.int(10000, 99999))] : [],
    vendorReferences: rng.chance(0.6) ? [`VSA-${year}-${qid}`] : [],
    software: [software],
    diagnosis: `<P>${title} affects ${software.vendor} ${software.product}.<BR>QID Detection Logic (Authenticated): the version is read from the package manager.</P>`,
    consequence: "<P>Successful exploitation could allow an attacker to execute code or read data.</P>",
    solution: `<P>Update ${software.product} to the latest version. <A HREF="https://vendor.example/advisories/${qid}" TARGET="_blank">Vendor advisory</A></P>`,
    cvssV2: rng.chance(0.9)
      ? {
          base: cvssFor(severity, rng),
          temporal: cvssFor(severity, rng),
          vector: rng.chance(0.9) ? `CVSS:2.0/${rng.pick(CVSS2_VECTORS)}` : null,
        }
      : null,
    cvssV3: rng.chance(0.8)
      ? {
          base: cvssFor(severity, rng),
          temporal: cvssFor(severity, rng),
          vector: `CVSS:3.1/${rng.pick(CVSS3_VECTORS)}`,
        }
      : null,
    pciFlag: severity >= 3 || rng.chance(0.1),
    threatIntel:
      severity >= 4
        ? rng.sample(["Easy_Exploit", "Remote_Code_Execution", "Exploit_Public", "No_Patch"], 2)
        : [],
    owasp: [],
    wasc: [],
    cwe: [],
    discoveryRemote: rng.chance(0.6),
    authTypes: rng.chance(0.5) ? ["Unix", "Windows"] : [],
    supportedModules: ["VM", "CA"],
  };
}

// ---------- VM ----------

function seedVm(
  world: SimWorld,
  rng: Random,
  hostCount: number,
  past: (max: number, min?: number) => number,
): void {
  world.networks.set(1001, { id: 1001, name: "Global Default Network" });
  world.networks.set(1002, { id: 1002, name: "DMZ Network" });
  const appliances = [
    { id: 2001, name: "scanner-dc1", status: "Online", type: "physical", networkId: 1001, ip: "10.10.0.10" },
    { id: 2002, name: "scanner-dmz", status: "Online", type: "virtual", networkId: 1002, ip: "10.20.0.10" },
    { id: 2003, name: "scanner-old", status: "Offline", type: "virtual", networkId: 1001, ip: "10.10.0.11" },
    {
      id: 2004,
      name: "scanner-aws-us-east-1",
      status: "Online",
      type: "ec2",
      networkId: null,
      ip: "172.31.0.10",
    },
  ] as const;
  for (const a of appliances) world.appliances.set(a.id, { ...a });
  const profiles = [
    "Initial Options",
    "Qualys Top 20 Options",
    "Full Audit",
    "Payment Card Industry (PCI) Options",
  ];
  profiles.forEach((title, i) => {
    world.vmOptionProfiles.set(3001 + i, {
      id: 3001 + i,
      title,
      group: i === 3 ? "pci" : "user",
      isDefault: i === 0,
      owner: "sec_owner",
    });
  });

  const kbVm = [...world.kb.values()].filter((v) => v.group === null);
  for (const { ip, scenario } of VM_SCENARIO_HOSTS) {
    const host = newHost(world, rng, ip, scenario, null);
    host.alive = scenario !== "no-host";
    if (scenario === "vulnerable") host.detections = vulnerableDetections(rng, kbVm, past);
    else if (scenario === "clean") host.detections = informationDetections(rng, kbVm, past, 3);
    else host.detections = [];
  }
  for (let i = 0; i < hostCount; i++) {
    const host = newHost(
      world,
      rng,
      `10.${20 + Math.floor(i / 250)}.${(i % 250) + 1}.${rng.int(2, 254)}`,
      null,
      null,
    );
    host.detections = randomDetections(rng, kbVm, past, rng.int(3, 15));
  }

  // EC2: two running instances behind the working connector, one stopped.
  const connectors = [
    { name: "scenario-ec2", disabled: false, state: "FINISHED_SUCCESS", runOutcome: "FINISHED_SUCCESS" },
    { name: "scenario-ec2-disabled", disabled: true, state: "DISABLED", runOutcome: "FINISHED_SUCCESS" },
    { name: "scenario-ec2-error", disabled: false, state: "FINISHED_ERRORS", runOutcome: "FINISHED_ERRORS" },
  ] as const;
  connectors.forEach((c, i) => {
    const id = 5001 + i;
    world.connectors.set(id, {
      id,
      name: c.name,
      description: `AWS connector ${c.name}`,
      disabled: c.disabled,
      state: c.state,
      runOutcome: c.runOutcome,
      runEndsAt: null,
      lastSync: isoDate(past(3)),
      regions: ["us-east-1", "eu-west-1"],
      awsAccountId: `1234567890${i}`,
    });
  });
  const instances = [
    { instanceId: "i-0000000000000clean", state: "RUNNING", ip: "172.31.10.11", scenario: "clean" },
    { instanceId: "i-00000000000000vuln", state: "RUNNING", ip: "172.31.10.12", scenario: "vulnerable" },
    { instanceId: "i-000000000000stopped", state: "STOPPED", ip: "172.31.10.13", scenario: "clean" },
  ] as const;
  for (const inst of instances) {
    const host = newHost(world, rng, inst.ip, inst.scenario, inst.instanceId);
    host.detections =
      inst.scenario === "vulnerable"
        ? vulnerableDetections(rng, kbVm, past)
        : informationDetections(rng, kbVm, past, 2);
    const assetId = allocateId(world, "hostAsset");
    world.hostAssets.set(assetId, {
      id: assetId,
      name: `ec2-${inst.ip.replaceAll(".", "-")}.compute-1.amazonaws.com`,
      ip: inst.ip,
      instanceId: inst.instanceId,
      instanceState: inst.state,
      region: "us-east-1",
      connectorId: 5001,
      hostId: host.id,
    });
  }
}

function newHost(
  world: SimWorld,
  rng: Random,
  ip: string,
  scenario: VmScenario | null,
  ec2InstanceId: string | null,
): SimHost {
  const id = allocateId(world, "host");
  const host: SimHost = {
    id,
    ip,
    dns: rng.chance(0.8) ? `host-${ip.replaceAll(".", "-")}.corp.example` : null,
    netbios: rng.chance(0.4) ? `HOST${id % 1000}` : null,
    os: rng.pick(OS_NAMES),
    networkId: rng.chance(0.8) ? 1001 : 1002,
    alive: true,
    ec2InstanceId,
    detections: [],
    lastScanDate: null,
    scenario,
  };
  world.hosts.set(id, host);
  return host;
}

function detection(
  rng: Random,
  vuln: SimKbVuln,
  type: SimHostDetection["type"],
  past: (max: number, min?: number) => number,
): SimHostDetection {
  const first = past(150, 10);
  const port = rng.pick([22, 80, 443, 445, 3389, 8080, null] as const);
  return {
    qid: vuln.qid,
    type,
    severity: vuln.severity,
    port,
    protocol: port === null ? null : "tcp",
    ssl: port === 443,
    fqdn: null,
    results:
      type === "Ig"
        ? `Operating system detected: ${rng.pick(OS_NAMES)}`
        : `Vulnerable version detected: ${rng.pick(VENDORS).product} 1.${rng.int(0, 9)}.${rng.int(0, 20)}\n${rng.chance(0.2) ? rng.pick(HOSTILE) : ""}`,
    status: rng.pick(["New", "Active", "Active", "Re-Opened"] as const),
    firstFound: isoDate(first),
    lastFound: isoDate(Math.max(first, past(9))),
    timesFound: rng.int(1, 20),
  };
}

function vulnerableDetections(
  rng: Random,
  kb: SimKbVuln[],
  past: (max: number, min?: number) => number,
): SimHostDetection[] {
  const out: SimHostDetection[] = [];
  for (const severity of [1, 2, 3, 4, 5] as const) {
    const candidates = kb.filter((v) => v.severity === severity);
    const withCve = candidates.filter((v) => v.cves.length > 0 && v.cvssV2 && v.cvssV3);
    const picks = rng.sample(withCve.length >= 2 ? withCve : candidates, 2);
    const [confirmed, potential] = picks;
    if (confirmed) out.push(detection(rng, confirmed, "Vuln", past));
    if (potential) out.push(detection(rng, potential, "Practice", past));
  }
  return [...out, ...informationDetections(rng, kb, past, 3)];
}

function informationDetections(
  rng: Random,
  kb: SimKbVuln[],
  past: (max: number, min?: number) => number,
  count: number,
): SimHostDetection[] {
  const low = kb.filter((v) => v.severity <= 2);
  return rng.sample(low, count).map((v) => detection(rng, v, "Ig", past));
}

function randomDetections(
  rng: Random,
  kb: SimKbVuln[],
  past: (max: number, min?: number) => number,
  count: number,
): SimHostDetection[] {
  return rng
    .sample(kb, count)
    .map((v) => detection(rng, v, rng.pick(["Vuln", "Vuln", "Practice", "Ig"] as const), past));
}
