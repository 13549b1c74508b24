/**
 * report.html as Jenkins serves an archived file or an HTML Publisher report: with its default
 * Content-Security-Policy header (https://www.jenkins.io/doc/book/security/configuring-content-security-policy/),
 * in Chromium, over a loopback HTTP server. The `--html-mode strict` report (what the Jenkins steps write) must
 * show everything with its styles and raise no violation; the default, self-contained report is the control that
 * shows the header bites (its inline stylesheet is refused).
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createQualysClient, type QualysClient, systemClock } from "@qualys-connector/client";
import {
  countCalls,
  type GateResult,
  normalizePolicy,
  runWasGate,
  wasGateApi,
  writeGateOutputs,
} from "@qualys-connector/gate";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chromiumAvailable,
  launchChromium,
  recordViolations,
  type StaticServer,
  serveFolder,
  violations,
  watch,
} from "../../azure-devops/web/test/browser-harness.js";

/** Jenkins' default policy for files it serves from a build (hudson.model.DirectoryBrowserSupport.CSP). */
const JENKINS_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'self';";

const available = chromiumAvailable();

let sim: RunningSimulator;
let client: QualysClient;
let context: BrowserContext;
let strict: StaticServer;
let inline: StaticServer;
let result: GateResult;

beforeAll(async () => {
  if (!available) return;
  sim = await startSimulator({ port: 0, scanDurationMs: 1000 });
  client = createQualysClient({
    apiUrl: sim.url,
    auth: { kind: "basic", username: sim.credentials.username, password: sim.credentials.password },
  });
  const apiCalls: Record<string, number> = {};
  const run = await runWasGate(
    wasGateApi(client, countCalls(apiCalls)),
    {
      webApp: "scenario-vulnerable",
      scanName: "shop_jenkins_build_7",
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
  const strictDir = mkdtempSync(path.join(tmpdir(), "qualys-jenkins-report-strict-"));
  writeGateOutputs(result, strictDir, { htmlMode: "strict" });
  const inlineDir = mkdtempSync(path.join(tmpdir(), "qualys-jenkins-report-inline-"));
  writeGateOutputs(result, inlineDir);
  const csp = { "content-security-policy": JENKINS_CSP };
  strict = await serveFolder(strictDir, csp);
  inline = await serveFolder(inlineDir, csp);
  context = await launchChromium();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await strict?.close();
  await inline?.close();
  await client?.close();
  await sim?.close();
});

/** Opens report.html from `server` and reads what was drawn, what was refused and what was requested. */
async function open(server: StaticServer) {
  const page = await context.newPage();
  const events = watch(page);
  await recordViolations(page);
  const response = await page.goto(`${server.origin}/report.html`, { waitUntil: "load" });
  expect(response?.headers()["content-security-policy"]).toBe(JENKINS_CSP);
  const style = (selector: string, property: string) =>
    page
      .locator(selector)
      .first()
      .evaluate((element, name) => getComputedStyle(element).getPropertyValue(name), property);
  const seen = {
    bannerBackground: await style("header.banner", "background-color"),
    urgentBarFill: await style("svg.severity-chart .sev-5 .bar", "fill"),
    failMarkColour: await style("tr.outcome-fail td.mark", "color"),
    tableBorder: await style("th", "border-top-style"),
    violations: await violations(page),
  };
  return { page, events, seen };
}

describe.skipIf(!available)("report.html under Jenkins' default Content-Security-Policy", () => {
  it("--html-mode strict: the chart, criteria and findings show with their styles; no violation, no error", async () => {
    const { page, events, seen } = await open(strict);
    try {
      expect(events.consoleErrors).toEqual([]);
      expect(events.pageErrors).toEqual([]);
      expect(seen.violations).toEqual([]);
      expect(strict.requested).toEqual(["/report.html", "/report.css"]);
      // REPORT_CSS applied: the failed verdict's banner, the severity 5 bar, the failing criterion's mark, borders.
      expect(seen.bannerBackground).toBe("rgb(255, 235, 233)");
      expect(seen.urgentBarFill).toBe("rgb(164, 14, 38)");
      expect(seen.failMarkColour).toBe("rgb(207, 34, 46)");
      expect(seen.tableBorder).toBe("solid");
      // Nothing missing: the chart with a bar per severity, every criterion, every finding row.
      await expect(page.locator("svg.severity-chart").isVisible()).resolves.toBe(true);
      expect(await page.locator("svg.severity-chart rect.bar").count()).toBe(5);
      const bar = await page.locator("svg.severity-chart .sev-5 rect.bar").boundingBox();
      expect(bar?.width ?? 0).toBeGreaterThan(0);
      expect(await page.locator("tr.outcome-fail").count()).toBe(
        result.criteria.filter((c) => c.outcome === "fail").length,
      );
      expect(await page.locator("tr[class^=outcome-]").count()).toBe(result.criteria.length);
      await expect(page.locator("tr.outcome-fail").first().isVisible()).resolves.toBe(true);
      expect(result.findings.length).toBeGreaterThan(0);
      expect(
        await page.getByRole("heading", { name: `Vulnerabilities (${result.findings.length})` }).count(),
      ).toBe(1);
      await expect(page.locator("td", { hasText: "150263" }).first().isVisible()).resolves.toBe(true);
    } finally {
      await page.close();
    }
  });

  it("the default, self-contained report.html is refused its inline stylesheet there (the control)", async () => {
    const { page, events, seen } = await open(inline);
    try {
      // Chromium reports a refused inline style as a console error: what the strict test finds none of.
      expect(events.consoleErrors.join("\n")).toMatch(/(Applying|Refused to apply) inline style/);
      expect(seen.bannerBackground).not.toBe("rgb(255, 235, 233)");
    } finally {
      await page.close();
    }
  });
});
