/**
 * A hand-built world for report tests: one web app with a finished scan whose results hold a confirmed and a
 * potential vulnerability, sensitive content and information gathered, plus hostile strings in URLs, parameters
 * and payloads. Handlers run through the real router with a fake clock.
 */
import { Readable } from "node:stream";
import { AuthState } from "../../src/http/auth.js";
import { Router } from "../../src/http/router.js";
import type { ApiRequest, ApiResponse, SimContext } from "../../src/http/types.js";
import type {
  SimFinding,
  SimKbVuln,
  SimOwner,
  SimScanResultItem,
  SimUser,
  SimWasScan,
  SimWebApp,
} from "../../src/model.js";
import { resolveOptions } from "../../src/options.js";
import { Random } from "../../src/random.js";
import { reportModule } from "../../src/reports/module.js";
import { createUsers } from "../../src/users.js";
import { emptyWorld, type SimWorld } from "../../src/world.js";

export const T0 = Date.parse("2026-03-12T16:42:00Z");
export const REPORT_MS = 1000;

export const HOSTILE_PARAM = `q"><script>alert('x')</script>`;
export const HOSTILE_PAYLOAD = "]]><!-- & <b>\"'";
export const HOSTILE_URL = "https://shop.example.com/search?q=<x>&cat=a&b";

export const OWNER: SimOwner = { id: 9001, username: "sim_user", firstName: "Sim", lastName: "User" };

export interface Harness {
  world: SimWorld;
  ctx: SimContext;
  user: SimUser;
  clock: { now: number };
  /** Tick the module, then dispatch like the server does. */
  call(
    method: string,
    path: string,
    options?: { body?: string; accept?: string; contentType?: string; user?: SimUser },
  ): Promise<ApiResponse>;
}

export function kb(partial: Partial<SimKbVuln> & Pick<SimKbVuln, "qid" | "title" | "severity">): SimKbVuln {
  return {
    vulnType: "Vulnerability",
    category: "Web Application",
    group: null,
    lastServiceModificationDate: "2025-01-01T00:00:00Z",
    publishedDate: "2020-01-01T00:00:00Z",
    codeModifiedDate: null,
    patchable: false,
    cves: [],
    bugtraqIds: [],
    vendorReferences: [],
    software: [],
    diagnosis: "Diagnosis text.",
    consequence: "Consequence text.",
    solution: "Solution text.",
    cvssV2: null,
    cvssV3: null,
    pciFlag: false,
    threatIntel: [],
    owasp: [],
    wasc: [],
    cwe: [],
    discoveryRemote: true,
    authTypes: [],
    supportedModules: ["WAS"],
    ...partial,
  };
}

export function webApp(id: number, name: string, url: string): SimWebApp {
  return {
    id,
    name,
    url,
    uris: [],
    os: "Linux 5.x",
    owner: OWNER,
    scope: "ALL",
    tags: [{ id: 77, name: "shop" }],
    createdDate: "2026-01-01T00:00:00Z",
    updatedDate: "2026-01-01T00:00:00Z",
    isScheduled: false,
    riskScore: 50,
    defaultProfileId: 800_001,
    defaultScanner: { type: "EXTERNAL" },
    authRecordIds: [700_001],
    comments: null,
    lastScanId: null,
    scenario: null,
  };
}

export function finding(
  partial: Partial<SimFinding> & Pick<SimFinding, "id" | "qid" | "name" | "type" | "severity" | "webAppId">,
): SimFinding {
  return {
    uniqueId: `00000000-0000-4000-8000-${String(partial.id).padStart(12, "0")}`,
    potential: false,
    findingType: "QUALYS",
    param: null,
    url: "https://shop.example.com/",
    status: "NEW",
    group: "XSS",
    owasp: [],
    wasc: [],
    cwe: [],
    cvssV3: null,
    detectionScore: 50,
    firstDetectedDate: "2026-02-01T10:00:00Z",
    lastDetectedDate: "2026-03-12T16:42:00Z",
    lastTestedDate: "2026-03-12T16:42:00Z",
    updatedDate: "2026-03-12T16:42:00Z",
    fixedDate: null,
    timesDetected: 3,
    isIgnored: false,
    ignoredReason: null,
    ignoredDate: null,
    ignoredComment: null,
    results: [],
    scanIds: [2_000_001],
    ...partial,
  };
}

export function resultItem(f: SimFinding, extra: Partial<SimScanResultItem> = {}): SimScanResultItem {
  return {
    findingId: f.id,
    qid: f.qid,
    title: f.name,
    type: f.type,
    severity: f.severity,
    potential: f.potential,
    uri: f.url,
    param: f.param,
    authenticated: f.results[0]?.authentication ?? false,
    form: f.results[0]?.formLocation ?? null,
    payloads: (f.results[0]?.payloads ?? []).map((p) => ({ payload: p.payload, result: p.response })),
    data: null,
    uniqueId: f.uniqueId,
    firstDetectedDate: f.firstDetectedDate,
    status: f.status,
    isIgnored: f.isIgnored,
    ...extra,
  };
}

/** Build the world: web app 1000001 with finished scan 2000001, running scan 2000002, second web app 1000002. */
export function buildWorld(users: SimUser[]): SimWorld {
  const world = emptyWorld(new Random(1), users);
  world.webApps.set(1_000_001, webApp(1_000_001, "Shop & <Main>", "https://shop.example.com/"));
  world.webApps.set(1_000_002, { ...webApp(1_000_002, "Blog", "https://blog.example.com/"), tags: [] });
  world.nextIds.webApp = 1_000_003;

  for (const entry of [
    kb({
      qid: 150001,
      title: "Reflected Cross-Site Scripting (XSS) Vulnerabilities",
      severity: 4,
      group: "XSS",
      owasp: [{ code: "A7", name: "Cross-Site Scripting (XSS)", url: "https://owasp.org" }],
      wasc: [{ code: "WASC-8", name: "CROSS-SITE SCRIPTING", url: "http://projects.webappsec.org" }],
      cwe: [79],
      cvssV2: { base: 4.3, temporal: 3.9, vector: null },
      diagnosis: "Input is echoed <b>unescaped</b>.\nSee details.",
    }),
    kb({
      qid: 150085,
      title: "Slow HTTP POST vulnerability",
      severity: 3,
      group: "INFO",
      vulnType: "Potential Vulnerability",
    }),
    kb({ qid: 150500, title: "Credit Card Number Found", severity: 3, group: "CC" }),
    kb({
      qid: 150204,
      title: "Missing header: X-XSS-Protection",
      severity: 1,
      vulnType: "Information Gathered",
      owasp: [{ code: "A6", name: "Security Misconfiguration", url: "https://owasp.org" }],
    }),
    kb({ qid: 6, title: "DNS Host Name", severity: 1, vulnType: "Information Gathered", diagnosis: "" }),
  ]) {
    world.kb.set(entry.qid, entry);
  }

  const xss = finding({
    id: 5_000_001,
    qid: 150001,
    name: "Reflected Cross-Site Scripting (XSS) Vulnerabilities",
    type: "VULNERABILITY",
    severity: 4,
    webAppId: 1_000_001,
    param: HOSTILE_PARAM,
    url: HOSTILE_URL,
    results: [
      {
        authentication: true,
        ajax: false,
        formLocation: `<form action="/search?a=1&b=2">`,
        accessPath: ["https://shop.example.com/", "https://shop.example.com/search"],
        payloads: [
          {
            payload: HOSTILE_PAYLOAD,
            request: {
              method: "POST",
              link: HOSTILE_URL,
              headers: "Host: shop.example.com\nUser-Agent: Mozilla/5.0 <sim>\nCookie: a=1; b=2",
              body: "q=%3Cscript%3E&x=1",
            },
            response: "<html><script>alert('x')</script></html>",
          },
        ],
      },
    ],
  });
  const slow = finding({
    id: 5_000_002,
    qid: 150085,
    name: "Slow HTTP POST vulnerability",
    type: "VULNERABILITY",
    severity: 3,
    potential: true,
    webAppId: 1_000_001,
    group: "INFO",
    status: "ACTIVE",
    isIgnored: true,
    ignoredReason: "RISK_ACCEPTED",
  });
  const card = finding({
    id: 5_000_003,
    qid: 150500,
    name: "Credit Card Number Found",
    type: "SENSITIVE_CONTENT",
    severity: 3,
    webAppId: 1_000_001,
    group: "CC",
  });
  const header = finding({
    id: 5_000_004,
    qid: 150204,
    name: "Missing header: X-XSS-Protection",
    type: "INFORMATION_GATHERED",
    severity: 1,
    webAppId: 1_000_001,
    group: "INFO",
    url: null,
    status: null,
    results: [
      {
        authentication: false,
        ajax: false,
        formLocation: null,
        accessPath: [],
        payloads: [
          {
            payload: "",
            request: { method: "GET", link: "https://shop.example.com/", headers: "", body: "" },
            response: "X-XSS-Protection: Header missing",
          },
        ],
      },
    ],
  });
  const dns = finding({
    id: 5_000_005,
    qid: 6,
    name: "DNS Host Name",
    type: "INFORMATION_GATHERED",
    severity: 1,
    webAppId: 1_000_001,
    group: "INFO",
    url: null,
    status: null,
  });
  const fixedOnBlog = finding({
    id: 5_000_006,
    qid: 150001,
    name: "Reflected Cross-Site Scripting (XSS) Vulnerabilities",
    type: "VULNERABILITY",
    severity: 4,
    webAppId: 1_000_002,
    url: "https://blog.example.com/?s=1",
    status: "FIXED",
    fixedDate: "2026-03-01T00:00:00Z",
  });
  for (const f of [xss, slow, card, header, dns, fixedOnBlog]) world.findings.set(f.id, f);
  world.nextIds.finding = 5_000_007;

  const finished: SimWasScan = {
    id: 2_000_001,
    name: "Shop weekly <scan> & more",
    reference: "was/1773333720000.2000001",
    type: "VULNERABILITY",
    mode: "API",
    webAppId: 1_000_001,
    authRecordId: 700_001,
    profileId: 800_001,
    scanner: { type: "EXTERNAL" },
    cancelAfterNHours: null,
    launchedDate: "2026-03-12T16:42:00Z",
    launchedBy: OWNER,
    status: "FINISHED",
    timeline: { runningAt: 0, processingAt: 0, finishedAt: 0 },
    outcome: { status: "FINISHED", resultsStatus: "FINISHED", authStatus: "SUCCESSFUL" },
    stuck: false,
    endScanDate: "2026-03-12T16:54:00Z",
    resultsStatus: "FINISHED",
    authStatus: "SUCCESSFUL",
    canceledBy: null,
    cancelMode: null,
    summary: { crawlDuration: 100, testDuration: 500, linksCrawled: 10, nbRequests: 300 },
    results: [
      resultItem(xss),
      resultItem(slow),
      resultItem(card, { data: "4111-1111-1111-1111" }),
      resultItem(header, {
        data: "X-XSS-Protection: Header missing\nGET https://shop.example.com/ response code: 200",
      }),
      resultItem(dns, { data: "#table\nIP_address Host_name\nshop.example.com No_registered_hostname" }),
    ],
  };
  const running: SimWasScan = {
    ...finished,
    id: 2_000_002,
    name: "Still running",
    status: "RUNNING",
    endScanDate: null,
    resultsStatus: null,
    authStatus: null,
    results: null,
  };
  world.wasScans.set(finished.id, finished);
  world.wasScans.set(running.id, running);
  world.nextIds.wasScan = 2_000_003;

  world.authRecords.set(700_001, {
    id: 700_001,
    name: "Shop login",
    contents: "FORM_STANDARD",
    owner: OWNER,
    tags: [],
    comments: null,
    createdDate: "2026-01-01T00:00:00Z",
    updatedDate: "2026-01-01T00:00:00Z",
  });
  world.wasOptionProfiles.set(800_001, {
    id: 800_001,
    name: "Initial WAS Options",
    owner: OWNER,
    isDefault: true,
    tags: [],
    createdDate: "2026-01-01T00:00:00Z",
    updatedDate: "2026-01-01T00:00:00Z",
  });
  return world;
}

export function harness(): Harness {
  const clock = { now: T0 };
  const options = resolveOptions({ reportDurationMs: REPORT_MS, now: () => clock.now });
  const users = createUsers(options);
  const user = users[0];
  if (!user) throw new Error("no main user");
  const world = buildWorld(users);
  const ctx: SimContext = {
    world,
    options,
    now: () => clock.now,
    users,
    auth: new AuthState(() => clock.now),
  };
  const router = new Router(reportModule.routes);
  return {
    world,
    ctx,
    user,
    clock,
    async call(method, path, options = {}) {
      reportModule.tick?.(ctx);
      const url = new URL(`http://127.0.0.1:1${path}`);
      const match = router.match(method, url.pathname);
      if (match.kind !== "found") throw new Error(`no route for ${method} ${path}: ${match.kind}`);
      const headers: Record<string, string> = {};
      if (options.accept) headers.accept = options.accept;
      if (options.contentType) headers["content-type"] = options.contentType;
      const req: ApiRequest = {
        method,
        path: url.pathname,
        url,
        headers,
        body: Buffer.from(options.body ?? "", "utf8"),
        params: match.params,
        user: options.user ?? user,
      };
      return match.route.handler(req, ctx);
    },
  };
}

/** A create body for a scan report in XML. */
export function scanReportBody(scanIds: readonly number[], format = "XML", name = "Weekly report"): string {
  const scans = scanIds.map((id) => `<WasScan><id>${id}</id></WasScan>`).join("");
  return `<ServiceRequest><data><Report><name><![CDATA[${name}]]></name><description><![CDATA[A simple scan report]]></description><format>${format}</format><type>WAS_SCAN_REPORT</type><config><scanReport><target><scans>${scans}</scans></target></scanReport></config></Report></data></ServiceRequest>`;
}

/** The body of an answer that is not streamed (only generated reports stream). */
export function bodyBytes(response: ApiResponse): Buffer {
  if (response.body instanceof Readable) throw new Error("the answer is streamed; read it over HTTP");
  return typeof response.body === "string" ? Buffer.from(response.body, "utf8") : response.body;
}

export function bodyText(response: ApiResponse): string {
  return typeof response.body === "string" ? response.body : bodyBytes(response).toString("utf8");
}
