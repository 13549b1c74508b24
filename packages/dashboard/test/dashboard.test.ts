/**
 * The dashboard's handler without a socket (createDashboard over a read-only store), and its listener: every page
 * answers with the strict CSP, hostile text comes out as text, the token guards a dashboard off loopback, the
 * Host header guards one on loopback, the export is exactly the filter, and only GET and HEAD are served.
 */

import { openStoreReader, type StoreReader } from "@qualys-connector/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CONTENT_SECURITY_POLICY,
  createDashboard,
  csvCell,
  type Dashboard,
  startDashboard,
  TOKEN_COOKIE,
} from "../src/index.js";
import { FINDING_COUNT, sampleStore } from "./sample-store.js";

let file: string;
let reader: StoreReader;
let dashboard: Dashboard;

beforeAll(async () => {
  file = await sampleStore();
  reader = await openStoreReader(file);
  dashboard = createDashboard({ reader, now: () => Date.parse("2025-11-10T00:00:00Z") });
});

afterAll(async () => {
  await reader?.close();
});

const get = (path: string, init: RequestInit = {}) =>
  dashboard.fetch(new Request(`http://127.0.0.1:8080${path}`, init));

/** Data rows of a findings page: their uids, in order. */
function uids(page: string): string[] {
  return [...page.matchAll(/<tr data-uid="([^"]+)">/g)].map((m) => m[1] ?? "");
}

describe("pages", () => {
  it("every page answers 200 with the strict CSP and no inline script or style", async () => {
    for (const path of ["/", "/applications", "/findings", "/findings/1/uid-0003", "/assets/dashboard.css"]) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      const text = await response.text();
      if (path.startsWith("/assets")) continue;
      expect(text).not.toMatch(/<script>|<script [^>]*>[^<]|style=|<style/i);
      // No element with an event handler attribute (the hostile text shows one, escaped, as text).
      expect(text).not.toMatch(/<[a-z][^<>]* on[a-z]+=/i);
    }
  });

  it("hostile text is escaped everywhere and never becomes a link", async () => {
    const pages = await Promise.all(
      ["/", "/applications", "/findings?app=1", "/findings/1/uid-0000"].map(async (p) =>
        (await get(p)).text(),
      ),
    );
    for (const text of pages) {
      expect(text).not.toContain("<script>window.__pwned");
      expect(text).not.toContain("<img src=x");
      expect(text).not.toMatch(/href="javascript:/i);
      expect(text.includes("\u001b") || text.includes("\u202e")).toBe(false);
    }
    const [, applications, findings, detail] = pages;
    expect(applications).toContain("&lt;script&gt;window.__pwned=1&lt;/script&gt;");
    expect(findings).toContain(
      "=HYPERLINK(&quot;http://x.invalid&quot;,&quot;y&quot;) &lt;img src=x onerror=",
    );
    expect(detail).toContain("&lt;script&gt;window.__pwned=4;alert(document.domain)&lt;/script&gt;");
    // The KB text is rebuilt, not copied: its script is text and its link is not a link.
    expect(detail).toContain("Input is reflected");
    expect(detail).not.toContain('href="javascript');
  });

  it("lists findings a page at a time with a cursor in the URL, filtered and sorted by the query", async () => {
    const first = await (await get("/findings")).text();
    expect(uids(first)).toHaveLength(50);
    const next = /<a rel="next" href="([^"]+)"/.exec(first)?.[1]?.replace(/&amp;/g, "&");
    expect(next).toMatch(/^\/findings\?after=/);
    const second = await (await get(next ?? "")).text();
    const all = [...uids(first), ...uids(second)];
    // Ignored ones (n % 13 === 0, besides uid-0000 which is not ignored) are hidden by default.
    const ignored = Array.from({ length: FINDING_COUNT }, (_, n) => n).filter(
      (n) => n > 0 && n % 13 === 0,
    ).length;
    expect(new Set(all).size).toBe(FINDING_COUNT - ignored);
    expect(second).not.toContain('rel="next"');
    const withIgnored = await (await get("/findings?ignored=1&sev=4&cols=qid,ignored")).text();
    expect(withIgnored).toContain("yes (false positive)");
    const filtered = await (await get("/findings?app=2&sev=5")).text();
    expect(uids(filtered).length).toBeGreaterThan(0);
    expect(filtered).toContain(`${uids(filtered).length} findings`);
    expect(filtered).toMatch(/<option value="5" selected>/);
    const bad = await get("/findings?sev=9");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("query parameter sev");
    expect((await get("/findings?after=%3Cx%3E")).status).toBe(400);
  });

  it("a finding's page shows every field, its KB definition, its history and a link back to its list", async () => {
    const text = await (await get(`/findings/1/uid-0005?back=${encodeURIComponent("app=3&sev=1")}`)).text();
    expect(text).toContain('href="/findings?app=3&amp;sev=1"');
    expect(text).toContain("ACTIVE → FIXED");
    const kb = await (await get("/findings/1/uid-0004")).text();
    expect(kb).toContain("CVE-2024-0001");
    expect(kb).toContain("CVSS:3.1/AV:N");
    // `back` cannot point elsewhere.
    const away = await (
      await get(`/findings/1/uid-0004?back=${encodeURIComponent("//evil.example/x")}`)
    ).text();
    expect(away).toMatch(/id="back" href="\/findings\?%2F%2Fevil.example%2Fx="/);
    expect((await get("/findings/1/nope")).status).toBe(404);
  });

  it("the column choice lives in the URL", async () => {
    const redirect = await get("/findings?sev=5&col=qid&col=title");
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get("location")).toBe("/findings?sev=5&cols=qid%2Ctitle");
    const text = await (await get("/findings?sev=5&cols=qid,title")).text();
    expect(text).toMatch(/<thead><tr><th><a [^>]+>QID<\/a><\/th><th>Title<\/th><\/tr><\/thead>/);
  });

  it("applications carry their open findings by severity, filterable by severity present and name", async () => {
    const text = await (await get("/applications?name=Shop")).text();
    expect(text).toContain("1 applications");
    expect(text).toContain(">Shop</a>");
    const none = await (await get("/applications?name=Shop&scanned_within=1")).text();
    expect(none).toContain("0 applications");
  });
});

describe("export", () => {
  it("CSV and JSONL hold exactly the rows of the filter, with formulas neutralized", async () => {
    const query = "app=1&sort=lastDetected&dir=asc";
    const page = await (await get(`/findings?${query}`)).text();
    const csv = await get(`/findings.csv?${query}`);
    expect(csv.headers.get("content-disposition")).toMatch(
      /^attachment; filename="qualys-findings-[\d-]+\.csv"$/,
    );
    const lines = (await csv.text()).trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^subscription_id,uid,/);
    expect(lines.slice(1).map((l) => l.split(",")[1])).toEqual(uids(page));
    expect(lines.join("\n")).toContain(`"'=HYPERLINK(""http://x.invalid"",""y"")`);
    expect(lines.join("\n")).toContain(`'+cmd|' /C calc'!A0`);
    const jsonl = await (await get(`/findings.jsonl?${query}`)).text();
    const rows = jsonl
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { uid: string; evidence?: unknown });
    expect(rows.map((r) => r.uid)).toEqual(uids(page));
    expect(rows[0]?.evidence).toBeUndefined();
  });

  it("csvCell neutralizes every formula prefix and quotes what needs it", () => {
    expect(["=1", "+1", "-1", "@x", "\tx", "\rx"].map(csvCell)).toEqual([
      "'=1",
      "'+1",
      "'-1",
      "'@x",
      "'\tx",
      '"\'\rx"',
    ]);
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell(undefined)).toBe("");
  });
});

describe("security", () => {
  it("refuses anything but GET and HEAD, and an unexpected Host", async () => {
    expect((await get("/", { method: "POST" })).status).toBe(405);
    const guarded = createDashboard({ reader, allowedHosts: ["127.0.0.1:8080"] });
    const rebound = await guarded.fetch(
      new Request("http://127.0.0.1:8080/", { headers: { host: "evil.example:8080" } }),
    );
    expect(rebound.status).toBe(421);
  });

  it("with a token: refused without it, the token once sets the cookie, the cookie is enough after", async () => {
    const token = "t0ken-for-the-test-0123456789";
    const guarded = createDashboard({ reader, token });
    const at = (path: string, headers: Record<string, string> = {}) =>
      guarded.fetch(new Request(`http://192.0.2.1:8080${path}`, { headers }));
    const refused = await at("/findings");
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toContain("Finding 1");
    expect((await at("/findings.csv")).status).toBe(401);
    expect((await at("/findings?token=wrong-token-wrong-token")).status).toBe(401);
    const first = await at(`/findings?sev=5&token=${token}`);
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/findings?sev=5");
    expect(first.headers.get("set-cookie")).toBe(
      `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
    );
    expect((await at("/findings?sev=5", { cookie: `${TOKEN_COOKIE}=${token}` })).status).toBe(200);
  });

  it("startDashboard off loopback generates a token and refuses a request without it", async () => {
    const running = await startDashboard({ location: file, host: "0.0.0.0", port: 0 });
    try {
      expect(running.tokenGenerated).toBe(true);
      const port = new URL(running.url).port;
      const refused = await fetch(`http://127.0.0.1:${port}/`);
      expect(refused.status).toBe(401);
      const admitted = await fetch(`http://127.0.0.1:${port}/?token=${running.token}`, {
        redirect: "manual",
      });
      expect(admitted.status).toBe(303);
    } finally {
      await running.close();
    }
  });

  it("startDashboard on loopback needs no token, answers its own Host only, and shows no subscription secret", async () => {
    const running = await startDashboard({ location: file, port: 0 });
    try {
      expect(running.token).toBeUndefined();
      const page = await fetch(running.url);
      expect(page.status).toBe(200);
      const text = await page.text();
      expect(text).toContain("Overview");
      expect(text).not.toContain("dash_user");
    } finally {
      await running.close();
    }
  });
});
