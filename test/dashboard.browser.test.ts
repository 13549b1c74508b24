/**
 * The dashboard in Chromium (Debian's package, driven by playwright-core) over a store filled the way users fill
 * it: a sync from the simulator, plus the simulator's hostile report imported. From the overview to an
 * application, its findings, a finding and back; a filter that survives a reload; the export of the current
 * filter against the rows shown; and the hostile data rendered as text (no dialog, no script, no request away,
 * no clickable javascript: link). Screenshots of each page go to test-results/screenshots/dashboard/.
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createQualysClient, type QualysClient } from "@qualys-connector/client";
import { type RunningDashboard, startDashboard } from "@qualys-connector/dashboard";
import { readReport } from "@qualys-connector/reports";
import { HOSTILE_REPORT_TITLE, type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { openStore } from "@qualys-connector/store";
import { importReport, runSync } from "@qualys-connector/sync";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chromiumAvailable,
  launchChromium,
  type PageEvents,
  recordViolations,
  violations,
  watch,
} from "../integrations/azure-devops/web/test/browser-harness.js";
import { failingWasGate, gateRunInput } from "../packages/dashboard/test/gate-run-fixtures.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** Kept by CI as artifacts (README: "Dashboard screenshots"). */
const SHOTS = path.join(root, "test-results", "screenshots", "dashboard");
const available = chromiumAvailable();

let sim: RunningSimulator;
let client: QualysClient;
let dashboard: RunningDashboard;
let context: BrowserContext;
let storeFile: string;

beforeAll(async () => {
  if (!available) return;
  mkdirSync(SHOTS, { recursive: true });
  sim = await startSimulator({ port: 0, webapps: 6, findingsPerWebapp: 15, scanDurationMs: 300 });
  client = createQualysClient({
    apiUrl: sim.url,
    auth: { kind: "basic", username: sim.credentials.username, password: sim.credentials.password },
  });
  const dir = await mkdtemp(path.join(tmpdir(), "qc-dashboard-browser-"));
  storeFile = path.join(dir, "store.db");
  const store = await openStore(`sqlite:${storeFile}`);
  try {
    await store.migrate();
    const subscription = { apiUrl: sim.url, username: sim.credentials.username };
    await runSync(client, store, {
      subscription,
      objects: ["webapps", "findings", "definitions"],
      full: false,
      filters: {},
      pageSize: 100,
    });
    // The simulator's hostile report: hostile text in every field of its web app and findings.
    let hostileId: number | undefined;
    for await (const report of client.was.report.search({ name: HOSTILE_REPORT_TITLE }))
      hostileId = report.id;
    if (hostileId === undefined) throw new Error("the simulator has no hostile report");
    const download = await client.was.report.downloadStream(hostileId);
    const chunks: Buffer[] = [];
    for await (const chunk of download.body) chunks.push(Buffer.from(chunk));
    const reportFile = path.join(dir, "hostile.xml");
    writeFileSync(reportFile, Buffer.concat(chunks));
    await importReport(store, readReport({ path: reportFile }), {
      subscriptionId: await store.subscription(subscription),
    });
    // A real WAS gate run that fails its criteria, recorded as `scan was --db` records one.
    await store.recordGateRun(gateRunInput(await failingWasGate(sim, client)));
  } finally {
    await store.close();
  }
  dashboard = await startDashboard({ location: storeFile, port: 0 });
  context = await launchChromium();
  console.log(`screenshots: ${SHOTS}`);
});

afterAll(async () => {
  await context?.close();
  await dashboard?.close();
  await client?.close();
  await sim?.close();
});

/** A page that records what it does, with a flag any call of alert/confirm/prompt would set. */
async function openPage(): Promise<{ page: Page; events: PageEvents }> {
  const page = await context.newPage();
  await recordViolations(page);
  await page.addInitScript(() => {
    const flagged = window as unknown as { __scriptRan: boolean };
    flagged.__scriptRan = false;
    for (const name of ["alert", "confirm", "prompt"] as const) {
      const original = window[name].bind(window);
      (window as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        flagged.__scriptRan = true;
        return (original as (...a: unknown[]) => unknown)(...args);
      };
    }
  });
  return { page, events: watch(page) };
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

function rowUids(page: Page): Promise<string[]> {
  return page.$$eval("#findings tbody tr", (rows) => rows.map((r) => r.getAttribute("data-uid") ?? ""));
}

describe.skipIf(!available)("the dashboard in Chromium", () => {
  it("overview -> application -> its findings -> a finding -> back to the same list", async () => {
    const { page, events } = await openPage();
    try {
      await page.goto(dashboard.url);
      await expect.poll(() => page.locator("svg.severity-chart").count()).toBe(1);
      await shot(page, "overview");
      await page.click('nav.top a[href="/applications"]');
      await page.waitForURL(/\/applications$/);
      await shot(page, "applications");
      const firstApp = page
        .locator("#applications tbody tr td:first-child a")
        .filter({ hasNotText: "<" })
        .first();
      const appName = (await firstApp.textContent()) ?? "";
      await firstApp.click();
      await page.waitForURL(/\/findings\?sub=\d+&app=\d+$/);
      const listUrl = page.url();
      const apps = await page.$$eval("#findings tbody tr td:first-child", (cells) =>
        cells.map((c) => c.textContent),
      );
      expect(apps.length).toBeGreaterThan(0);
      expect(new Set(apps)).toEqual(new Set([appName]));
      await shot(page, "findings");
      await page.locator("#findings tbody tr td a").first().click();
      await page.waitForURL(/\/findings\/\d+\/[^/?]+\?back=/);
      await expect.poll(() => page.locator("#evidence-request").count()).toBe(1);
      await shot(page, "finding");
      await page.click("#back");
      await page.waitForURL(listUrl);
      expect(page.url()).toBe(listUrl);
      expect(events.pageErrors).toEqual([]);
      expect(await violations(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("a filter changed in the form lives in the URL: a reload shows the same view", async () => {
    const { page } = await openPage();
    try {
      await page.goto(`${dashboard.url}findings`);
      // The enhancer submits the form when a menu changes; without script, Apply does the same.
      await Promise.all([page.waitForURL(/sev=4/), page.selectOption('select[name="sev"]', "4")]);
      await Promise.all([page.waitForURL(/sort=lastDetected/), page.click('th a:has-text("Last detected")')]);
      const before = await rowUids(page);
      expect(before.length).toBeGreaterThan(0);
      const severities = await page.$$eval("#findings tbody .sev-pill", (pills) =>
        pills.map((p) => p.textContent),
      );
      expect(new Set(severities)).toEqual(new Set(["4"]));
      await page.reload();
      expect(await rowUids(page)).toEqual(before);
      expect(await page.inputValue('select[name="sev"]')).toBe("4");
    } finally {
      await page.close();
    }
  });

  it("the export holds exactly the rows of the current filter", async () => {
    const { page } = await openPage();
    try {
      await page.goto(`${dashboard.url}findings?sev=5&sort=qid&dir=asc`);
      const shown = await rowUids(page);
      expect(shown.length).toBeGreaterThan(0);
      expect(await page.locator('a[rel="next"]').count()).toBe(0);
      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
      const file = await download.path();
      const lines = readFileSync(file, "utf8").trimEnd().split("\r\n");
      expect(lines[0]).toMatch(/^subscription_id,uid,/);
      expect(lines.slice(1).map((line) => line.split(",")[1])).toEqual(shown);
    } finally {
      await page.close();
    }
  });

  it("hostile data renders as text: no dialog, no script, no request away, no javascript: link", async () => {
    const { page, events } = await openPage();
    try {
      const origin = new URL(dashboard.url).origin;
      await page.goto(
        `${dashboard.url}findings?source=report&ignored=1&cols=webApp,title,url,param,severity`,
      );
      const hostileRows = await rowUids(page);
      expect(hostileRows.length).toBeGreaterThan(0);
      // The hostile markup is on the page as text.
      expect(await page.locator("#findings").textContent()).toMatch(/<script>|onerror=|javascript:/);
      await shot(page, "hostile-findings");
      await page.locator("#findings tbody tr td a").first().click();
      await page.waitForURL(/\/findings\/\d+\//);
      await shot(page, "hostile-finding");
      await page.goto(`${dashboard.url}applications`);
      await page.goto(dashboard.url);
      for (const check of [
        () => page.evaluate(() => (window as unknown as { __scriptRan: boolean }).__scriptRan),
      ])
        expect(await check()).toBe(false);
      expect(events.dialogs).toEqual([]);
      expect(events.pageErrors).toEqual([]);
      expect(events.requests.filter((url) => !url.startsWith(origin))).toEqual([]);
      expect(await violations(page)).toEqual([]);
      for (const url of [
        `${dashboard.url}findings?source=report&ignored=1`,
        `${dashboard.url}findings/1/${encodeURIComponent(hostileRows[0] ?? "")}`,
        `${dashboard.url}applications`,
      ]) {
        await page.goto(url);
        const dangerous = await page.evaluate(() => ({
          javascriptLinks: [...document.querySelectorAll("a")].filter((a) =>
            /^\s*javascript:/i.test(a.getAttribute("href") ?? ""),
          ).length,
          handlers: [...document.querySelectorAll("*")].filter((el) =>
            [...el.attributes].some((a) => /^on/i.test(a.name)),
          ).length,
          scripts: [...document.querySelectorAll("script")].map((s) => s.getAttribute("src")),
        }));
        expect(dangerous).toEqual({ javascriptLinks: 0, handlers: 0, scripts: ["/assets/dashboard.js"] });
      }
      expect(await page.evaluate(() => (window as unknown as { __scriptRan: boolean }).__scriptRan)).toBe(
        false,
      );
      expect(events.dialogs).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("a gate run's Summary: verdict banner, scan details, severity chart and criteria table", async () => {
    const { page, events } = await openPage();
    try {
      await page.goto(dashboard.url);
      await page.click('nav.top a[href="/gate-runs"]');
      await page.waitForURL(/\/gate-runs$/);
      await page.click('#gate-runs a[href="/gate-runs/1"]');
      await page.waitForURL(/\/gate-runs\/1$/);
      expect(await page.locator("header.banner.verdict-failed").count()).toBe(1);
      // The chart is drawn: a bar per severity, the severity 5 bar longer than nothing.
      expect(await page.locator("svg.severity-chart rect.bar").count()).toBe(5);
      const urgent = await page.locator("svg.severity-chart .sev-5 rect.bar").boundingBox();
      expect(urgent?.width ?? 0).toBeGreaterThan(0);
      expect(await page.locator("table tr.outcome-fail").count()).toBeGreaterThan(0);
      await shot(page, "gate-run-summary");
      await page.click('nav.tabs a[href="/gate-runs/1/vulnerabilities"]');
      await page.waitForURL(/vulnerabilities$/);
      expect(await page.locator("details").count()).toBeGreaterThan(0);
      await shot(page, "gate-run-vulnerabilities");
      expect(events.pageErrors).toEqual([]);
      expect(await violations(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
