/**
 * The build results section and the Qualys tab in Chromium, with a test double of the Azure DevOps host that hands
 * the pages a real result.json: the gate run in-process against the simulator on a web app that fails its
 * criteria. Asserted in the DOM and on screenshots (decoded back into pixels): the SVG chart with a bar per
 * severity, the ✓/✗ criteria rows, the vulnerability list with sorting, filtering and row detail, several results
 * at once, no result, a hostile result that must run nothing, and the gate's report.html under its own CSP.
 */

import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createQualysClient, type QualysClient, systemClock } from "@qualys-connector/client";
import {
  countCalls,
  type GateResult,
  type GateResultFile,
  normalizePolicy,
  runWasGate,
  wasGateApi,
  writeGateOutputs,
} from "@qualys-connector/gate";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWeb } from "../build.mjs";
import {
  chromiumAvailable,
  colourCounts,
  launchChromium,
  type PageEvents,
  recordViolations,
  type StaticServer,
  serveFolder,
  violations,
  watch,
} from "./browser-harness.js";
import type { HostDouble, HostDoubleAttachment } from "./sdk-double/host-double.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const available = chromiumAvailable();

/** Where the screenshots go; a folder of this run, named in the test output. */
const SHOTS = mkdtempSync(path.join(tmpdir(), "qualys-ado-views-"));

const HOSTILE_TITLE = `Stored XSS <img src=x onerror="window.__pwned=1;alert('title')"> <script>window.__pwned=2</script>`;
const HOSTILE_URL = `javascript:alert(document.domain)//"><img src=x onerror=alert('url')>`;

// Colours of the report's stylesheet (REPORT_CSS): severity 5 and 4 bars, and the failing mark.
const URGENT = [0xa4, 0x0e, 0x26] as const;
const CRITICAL = [0xe5, 0x53, 0x4b] as const;
const FAIL_RED = [0xcf, 0x22, 0x2e] as const;
const PASS_GREEN = [0x1a, 0x7f, 0x37] as const;

let sim: RunningSimulator;
let client: QualysClient;
let server: StaticServer;
let context: BrowserContext;
let result: GateResult;
let resultText: string;
let reportDir: string;

beforeAll(async () => {
  if (!available) return;
  sim = await startSimulator({ port: 0, scanDurationMs: 1200 });
  client = createQualysClient({
    apiUrl: sim.url,
    auth: { kind: "basic", username: sim.credentials.username, password: sim.credentials.password },
  });
  // The demo's policy on the demo's failing web app: severity 5 over 0 and a listed QID fail it.
  const apiCalls: Record<string, number> = {};
  const run = await runWasGate(
    wasGateApi(client, countCalls(apiCalls)),
    {
      webApp: "scenario-vulnerable",
      scanName: "pipeline_azureDevOps_build_7",
      type: "VULNERABILITY",
      authRecord: "none",
      scanner: { type: "EXTERNAL" },
      pollIntervalMs: 300,
      timeoutMs: 60_000,
      onTimeout: "cancel",
      onRunning: "attach",
      maxPollFailures: 5,
      clock: systemClock,
      tool: { name: "qualys-connector", version: "0.0.0-test" },
    },
    normalizePolicy({ maxSeverityCount: "5=0,4=2", failOnQids: "150263" }, undefined),
    undefined,
    apiCalls,
  );
  if ("kind" in run) throw new Error("the gate returned without waiting");
  result = run;
  reportDir = mkdtempSync(path.join(tmpdir(), "qualys-ado-result-"));
  writeGateOutputs(result, reportDir);
  resultText = readFileSync(path.join(reportDir, "result.json"), "utf8");

  const dist = mkdtempSync(path.join(tmpdir(), "qualys-ado-web-"));
  await buildWeb({ out: dist, sdk: path.join(here, "sdk-double") });
  copyFileSync(path.join(reportDir, "report.html"), path.join(dist, "report.html"));
  server = await serveFolder(dist);
  context = await launchChromium();
  console.log(`screenshots: ${SHOTS}`);
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  await client?.close();
  await sim?.close();
});

function scenario(attachments: HostDoubleAttachment[], extra: Partial<HostDouble> = {}): HostDouble {
  return {
    buildId: 7,
    projectId: "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c",
    attachments,
    records: [
      { id: "rec-was-1", name: "Scan web application with Qualys WAS" },
      { id: "rec-was-2", name: "Scan the staging web application" },
    ],
    extension: { publisherId: "qualys-connector", extensionId: "qualys-scan-gates" },
    ...extra,
  };
}

const attachment = (text = resultText, recordId = "rec-was-1", name = "result.json") => ({
  name,
  recordId,
  text,
});

interface Opened {
  page: Page;
  events: PageEvents;
  calls: () => Promise<string[]>;
}

/** Opens a view with the host double and waits until the view told the host it loaded (or failed). */
async function open(view: "section" | "tab", host: HostDouble): Promise<Opened> {
  const page = await context.newPage();
  const events = watch(page);
  await recordViolations(page);
  await page.addInitScript((double) => {
    (window as unknown as { __qualysHostDouble: unknown }).__qualysHostDouble = double;
  }, host);
  await page.goto(`${server.origin}/${view}.html`);
  const calls = () => page.evaluate(() => window.__qualysHostCalls ?? []);
  await page.waitForFunction(() =>
    (window.__qualysHostCalls ?? []).some((call) => call.startsWith("notifyLoad")),
  );
  return { page, events, calls };
}

/** Nothing ran that should not have, and nothing was fetched but the view's own files. */
async function expectQuiet({ page, events }: Opened, view: string): Promise<void> {
  expect(events.dialogs).toEqual([]);
  expect(events.pageErrors).toEqual([]);
  expect(events.consoleErrors).toEqual([]);
  expect(await violations(page)).toEqual([]);
  expect(events.requests.map((url) => url.replace(server.origin, ""))).toEqual([
    `/${view}.html`,
    `/${view}.css`,
    `/${view}.js`,
  ]);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
}

async function screenshot(page: Page, name: string, selector?: string): Promise<Buffer> {
  const file = path.join(SHOTS, `${name}.png`);
  const png =
    selector === undefined
      ? await page.screenshot({ path: file, fullPage: true })
      : await page.locator(selector).first().screenshot({ path: file });
  // A real picture: a PNG of some size, not a blank or a stub.
  expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
  expect(statSync(file).size).toBeGreaterThan(3000);
  return png;
}

const severityOf = (count: number[], severity: number) => count[severity - 1] ?? 0;

describe("the views' build (dist/web)", () => {
  it("bundles the real SDK and no Node.js module, with a strict CSP and no inline script or style", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "qualys-ado-dist-"));
    const files = (await buildWeb({ out })).map((file) => path.basename(file));
    expect(files.sort()).toEqual([
      "section.css",
      "section.html",
      "section.js",
      "tab.css",
      "tab.html",
      "tab.js",
    ]);
    for (const view of ["section", "tab"]) {
      const html = readFileSync(path.join(out, `${view}.html`), "utf8");
      const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("style-src 'self';");
      expect(csp).not.toContain("unsafe");
      // Scripts and styles only from the view's own files.
      expect([...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual([
        `<script src="${view}.js" defer>`,
      ]);
      expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
      const js = readFileSync(path.join(out, `${view}.js`), "utf8");
      expect(js).not.toMatch(/\brequire\(|from\s*"node:|"node:/);
      expect(js).not.toContain("__qualysHostDouble");
      // Nothing that turns text into code or markup: the CSP has no 'unsafe-eval', and result data is never HTML.
      expect(js).not.toMatch(/\beval\(|new Function|innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
      // The SDK's own handshake is in the bundle.
      expect(js).toContain("notifyLoadSucceeded");
      expect(readFileSync(path.join(out, `${view}.css`), "utf8")).toContain("svg.severity-chart");
    }
  });
});

describe.skipIf(!available)("Azure DevOps views in Chromium", () => {
  it("the gate result is a failing WAS run with findings of several severities", () => {
    expect(result.verdict).toBe("failed");
    expect(result.criteria.some((c) => c.outcome === "fail")).toBe(true);
    expect(result.criteria.some((c) => c.outcome === "pass")).toBe(true);
    expect(new Set(result.findings.map((f) => f.severity)).size).toBeGreaterThan(2);
    // The scanner's evidence arrives decoded: the response is readable text, not base64.
    const responses = result.findings.map((f) => f.evidence?.response ?? "");
    expect(responses.some((response) => /\s/.test(response))).toBe(true);
  });

  it("section: verdict, scan details, SVG chart with a bar per severity, ✓/✗ criteria, links", async () => {
    const opened = await open("section", scenario([attachment()]));
    const { page } = opened;
    expect(await opened.calls()).toEqual(
      expect.arrayContaining([
        'init [{"loaded":false,"applyTheme":false}]',
        "ready",
        'getAttachments ["6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c",7,"qualys-gate-result"]',
        "notifyLoadSucceeded",
        "resize",
      ]),
    );
    expect((await opened.calls()).indexOf('init [{"loaded":false,"applyTheme":false}]')).toBe(0);
    await expectQuiet(opened, "section");

    expect(await page.locator("h2.run-title").textContent()).toBe(
      `Scan web application with Qualys WAS · WAS scan ${result.scan?.id} pipeline_azureDevOps_build_7`,
    );
    expect(await page.locator("header.banner.verdict-failed h1").textContent()).toBe(
      "FAILED Qualys WAS gate failed",
    );
    expect(await page.locator("dl.facts").textContent()).toContain("scenario-vulnerable");

    // The chart: one group per severity, 5 to 1, each with its bar; bar lengths follow the counted findings.
    const chart = page.locator("svg.severity-chart");
    expect(await chart.count()).toBe(1);
    const groups = chart.locator("g.severity");
    expect(await groups.count()).toBe(5);
    const counted = result.severityCounts.counted;
    const widths: number[] = [];
    for (const [index, severity] of [5, 4, 3, 2, 1].entries()) {
      const group = groups.nth(index);
      expect(await group.getAttribute("class")).toBe(`severity sev-${severity}`);
      expect(await group.locator("text.count").textContent()).toBe(String(severityOf(counted, severity)));
      const box = await group.locator("rect.bar").boundingBox();
      widths.push(box?.width ?? 0);
    }
    const largest = Math.max(...counted);
    for (const [index, severity] of [5, 4, 3, 2, 1].entries()) {
      const share = severityOf(counted, severity) / largest;
      expect(Math.abs((widths[index] ?? 0) / Math.max(...widths) - share)).toBeLessThan(0.02);
    }

    // Criteria: each row ✓ or ✗ with configured and actual values.
    const rows = page.locator("tr.outcome-fail, tr.outcome-pass");
    expect(await rows.count()).toBe(result.criteria.length);
    for (const [index, criterion] of result.criteria.entries()) {
      const cells = await rows.nth(index).locator("td").allTextContents();
      expect(cells.slice(0, 4)).toEqual([
        `${criterion.outcome === "pass" ? "✓" : "✗"}${criterion.outcome === "pass" ? "PASS" : "FAIL"}`,
        criterion.label,
        criterion.configured,
        criterion.actual,
      ]);
    }

    // Links: the portal (http(s), in a new window) and the tab.
    const portal = page.locator("a[href]");
    expect(await portal.count()).toBe(1);
    expect(await portal.getAttribute("href")).toMatch(/^https?:\/\//);
    expect(await portal.getAttribute("target")).toBe("_blank");
    await page.getByRole("button", { name: /Open the Qualys tab/ }).click();
    expect(await opened.calls()).toContain(
      'setQueryParams [{"view":"qualys-connector.qualys-scan-gates.qualys-build-results-tab"}]',
    );

    // On the screenshot: the chart's bars in the severity colours, the criteria's ✗ in red and ✓ in green.
    const whole = await screenshot(page, "section");
    const picture = await colourCounts(context, whole, {
      urgent: URGENT,
      critical: CRITICAL,
      fail: FAIL_RED,
      pass: PASS_GREEN,
    });
    expect(picture.distinct).toBeGreaterThan(50);
    const chartShot = await screenshot(page, "section-chart", "svg.severity-chart");
    const bars = await colourCounts(context, chartShot, { urgent: URGENT, critical: CRITICAL });
    if (severityOf(counted, 5) > 0) expect(bars.counts.urgent).toBeGreaterThan(200);
    if (severityOf(counted, 4) > 0) expect(bars.counts.critical).toBeGreaterThan(200);
    const criteriaShot = await screenshot(page, "section-criteria", "table");
    const marks = await colourCounts(context, criteriaShot, { fail: FAIL_RED, pass: PASS_GREEN }, 40);
    expect(marks.counts.fail).toBeGreaterThan(20);
    expect(marks.counts.pass).toBeGreaterThan(20);
    await page.close();
  });

  it("tab: every vulnerability listed, sortable by column, filterable, each row opening its detail", async () => {
    const opened = await open("tab", scenario([attachment()]));
    const { page } = opened;
    await expectQuiet(opened, "tab");
    const rows = page.locator("tbody tr");
    expect(await rows.count()).toBe(result.findings.length);
    const heads = await page.locator("thead th").allTextContents();
    expect(heads).toEqual(["QID", "Title", "Severity", "URL", "Authenticated", "New", "Disposition"]);
    const column = async (index: number) =>
      page
        .locator("tbody tr:not([hidden])")
        .evaluateAll(
          (trs, i) => trs.map((tr) => (tr as HTMLTableRowElement).cells[i]?.firstChild?.textContent ?? ""),
          index,
        );

    // Sorting: QID ascending, again for descending; severity ascending.
    await page.getByRole("button", { name: "QID" }).click();
    const qids = (await column(0)).map(Number);
    expect(qids).toEqual([...qids].sort((a, b) => a - b));
    expect(await page.locator("th[aria-sort=ascending]").textContent()).toBe("QID");
    await page.getByRole("button", { name: "QID" }).click();
    expect((await column(0)).map(Number)).toEqual([...qids].sort((a, b) => b - a));
    await page.getByRole("button", { name: "Severity" }).click();
    const severities = (await column(2)).map((text) => Number.parseInt(text, 10));
    expect(severities).toEqual([...severities].sort((a, b) => a - b));
    await page.getByRole("button", { name: "Title" }).click();
    const titles = await column(1);
    expect(titles).toEqual([...titles].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })));

    // Filtering: by severity, by text, by disposition.
    const status = page.locator(".filter-status");
    const present = [...new Set(result.findings.map((f) => f.severity ?? 0))].sort((a, b) => b - a);
    const names = ["", "Minimal", "Medium", "Serious", "Critical", "Urgent"];
    expect(await page.getByLabel("Filter by severity").locator("option").allTextContents()).toEqual([
      "All severities",
      ...present.map((level) => `${level} ${names[level]}`),
    ]);
    const urgent = result.findings.filter((f) => f.severity === 5).length;
    await page.getByLabel("Filter by severity").selectOption("5");
    expect(await page.locator("tbody tr:not([hidden])").count()).toBe(urgent);
    expect(await status.textContent()).toBe(`Showing ${urgent} of ${result.findings.length} vulnerabilities`);
    await page.getByLabel("Filter by severity").selectOption("");
    const target = result.findings[0];
    if (target === undefined) throw new Error("no finding");
    await page.getByLabel("Filter vulnerabilities by text").fill(String(target.qid));
    const shown = await column(0);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every((qid) => qid === String(target.qid))).toBe(true);
    await page.getByLabel("Filter vulnerabilities by text").fill("");
    await page.getByLabel("Filter by disposition").selectOption("counted");
    expect(await page.locator("tbody tr:not([hidden])").count()).toBe(
      result.findings.filter((f) => f.disposition === "counted").length,
    );
    await page.getByLabel("Filter by disposition").selectOption("excluded");
    expect(await page.locator("tbody tr:not([hidden])").count()).toBe(
      result.findings.filter((f) => f.disposition === "excluded").length,
    );
    await page.getByLabel("Filter by disposition").selectOption("");

    // A click on a row opens its detail: description, solution, classification.
    await page.getByRole("button", { name: "QID" }).click();
    const withDetail = result.findings.find(
      (f) => f.definition?.diagnosis !== undefined && f.evidence?.response !== undefined,
    );
    if (withDetail === undefined) throw new Error("no finding with a KnowledgeBase description");
    const row = page
      .locator("tbody tr", { has: page.locator(`td.num:text-is("${withDetail.qid}")`) })
      .first();
    expect(await row.locator("details").evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await row.locator("td").nth(3).click();
    expect(await row.locator("details").evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    const headings = await row.locator("details h3").allTextContents();
    expect(headings).toEqual(
      expect.arrayContaining(["Description", "Impact", "Solution", "Classification", "Evidence"]),
    );
    const detailText = (await row.locator("details").textContent()) ?? "";
    expect(detailText).toContain(`Response${(withDetail.evidence?.response ?? "").slice(0, 60)}`);
    expect(await row.locator("details").isVisible()).toBe(true);

    const png = await screenshot(page, "tab");
    const picture = await colourCounts(context, png, {});
    expect(picture.distinct).toBeGreaterThan(50);
    await page.close();
  });

  it("shows each of several results, headed by its task and scan", async () => {
    const second = JSON.parse(resultText) as GateResultFile;
    if (second.scan === undefined) throw new Error("no scan");
    second.scan.id = "4343";
    second.scan.name = "staging_build_7";
    const opened = await open(
      "section",
      scenario([attachment(), attachment(JSON.stringify(second), "rec-was-2", "result-staging.json")]),
    );
    expect(await opened.page.locator("h2.run-title").allTextContents()).toEqual([
      `Scan web application with Qualys WAS · WAS scan ${result.scan?.id} pipeline_azureDevOps_build_7`,
      "Scan the staging web application · WAS scan 4343 staging_build_7",
    ]);
    expect(await opened.page.locator("svg.severity-chart").count()).toBe(2);
    await expectQuiet(opened, "section");
    const tab = await open(
      "tab",
      scenario([attachment(), attachment(JSON.stringify(second), "rec-was-2", "b.json")]),
    );
    expect(await tab.page.locator("section.run table").count()).toBe(2);
    await screenshot(opened.page, "section-two-results");
    await opened.page.close();
    await tab.page.close();
  });

  it("says so when the run has no result, and when an attachment is not a gate result", async () => {
    for (const view of ["section", "tab"] as const) {
      const opened = await open(view, scenario([]));
      expect(await opened.page.locator("#root").textContent()).toMatch(
        /^No Qualys scan result is attached to this run\./,
      );
      expect(await opened.calls()).toContain("notifyLoadSucceeded");
      await expectQuiet(opened, view);
      await opened.page.close();
    }
    const broken = await open("section", scenario([attachment('{"hello":1}', "rec-was-1", "other.json")]));
    expect(await broken.page.locator(".message.error").textContent()).toBe(
      "other.json is not a Qualys gate result: schemaVersion is undefined, expected 1",
    );
    await broken.page.close();
    const failing = await open("tab", scenario([attachment()], { failAttachments: "HTTP 401" }));
    expect(await failing.page.locator(".message.error").textContent()).toBe(
      "Could not read the Qualys results of this run: HTTP 401",
    );
    expect(await failing.calls()).toContain(
      'notifyLoadFailed ["Could not read the Qualys results of this run: HTTP 401"]',
    );
    await failing.page.close();
  });

  it("a hostile result shows its markup as text and runs nothing", async () => {
    const hostile = JSON.parse(resultText) as GateResultFile;
    const finding = hostile.findings[0];
    if (finding === undefined || hostile.scan === undefined) throw new Error("fixture");
    finding.title = HOSTILE_TITLE;
    finding.url = HOSTILE_URL;
    finding.param = `"><svg onload=alert('param')>`;
    hostile.scan.name = `<img src=x onerror=alert('scan')>`;
    hostile.scan.portalUrl = "javascript:alert('portal')";
    hostile.criteria[0] = {
      ...(hostile.criteria[0] as GateResultFile["criteria"][number]),
      label: `<script>alert('criterion')</script>`,
    };
    const text = JSON.stringify(hostile);
    for (const view of ["section", "tab"] as const) {
      const opened = await open(view, scenario([attachment(text)]));
      const { page } = opened;
      await expectQuiet(opened, view);
      // The markup is text on the page, and no element of it exists.
      const body = (await page.locator("body").textContent()) ?? "";
      if (view === "tab") {
        expect(body).toContain(HOSTILE_TITLE);
        expect(body).toContain(HOSTILE_URL);
        await page.locator("tbody tr").first().click();
      } else {
        expect(body).toContain(`<script>alert('criterion')</script>`);
        expect(body).toContain("javascript:alert('portal')");
      }
      expect(body).toContain(`<img src=x onerror=alert('scan')>`);
      expect(await page.locator("img, script:not([src]), iframe, object, embed, svg[onload]").count()).toBe(
        0,
      );
      expect(await page.locator("[onerror], [onload], [onclick]").count()).toBe(0);
      const hrefs = await page
        .locator("a")
        .evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
      expect(hrefs.filter((href) => /^\s*javascript:/i.test(href))).toEqual([]);
      await screenshot(page, `${view}-hostile`);
      expect(opened.events.dialogs).toEqual([]);
      await page.close();
    }
  });

  it("report.html (the gate's writer) renders in Chromium under its own CSP without errors", async () => {
    const page = await context.newPage();
    const events = watch(page);
    await recordViolations(page);
    await page.goto(`${server.origin}/report.html`);
    await page.waitForLoadState("load");
    expect(events.dialogs).toEqual([]);
    expect(events.pageErrors).toEqual([]);
    expect(events.consoleErrors).toEqual([]);
    expect(await violations(page)).toEqual([]);
    expect(events.requests.map((url) => url.replace(server.origin, ""))).toEqual(["/report.html"]);
    // The same parts as the views: the chart, the criteria marks, the vulnerability rows.
    expect(await page.locator("svg.severity-chart g.severity rect.bar").count()).toBe(5);
    expect(await page.locator("tr.outcome-fail td.mark").first().textContent()).toBe("✗FAIL");
    expect(await page.locator("tbody tr.counted, tbody tr.excluded, tbody tr.excepted").count()).toBe(
      result.findings.length,
    );
    const png = await screenshot(page, "report");
    const bars = await colourCounts(context, png, { urgent: URGENT });
    if (severityOf(result.severityCounts.counted, 5) > 0) expect(bars.counts.urgent).toBeGreaterThan(200);
    writeFileSync(path.join(SHOTS, "report.html"), readFileSync(path.join(reportDir, "report.html")));
    await page.close();
  });
});
