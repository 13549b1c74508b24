/**
 * Gate runs in the dashboard: the list, and one run as the Summary and the Vulnerabilities views of report.html,
 * made by the gate's own renderers from the recorded (redacted) result file. The result is a real WAS gate run
 * against the simulator's vulnerable web app, recorded twice through the store's `recordGateRun`.
 */

import { createQualysClient, type QualysClient } from "@qualys-connector/client";
import {
  type GateResult,
  renderCriteriaTable,
  renderScanDetails,
  renderSeverityChart,
  renderVerdict,
} from "@qualys-connector/gate";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { openStore, openStoreReader, type StoreReader } from "@qualys-connector/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTENT_SECURITY_POLICY, createDashboard, type Dashboard } from "../src/index.js";
import { failingWasGate, gateRunInput } from "./gate-run-fixtures.js";
import { sampleStore } from "./sample-store.js";

let sim: RunningSimulator;
let client: QualysClient;
let reader: StoreReader;
let dashboard: Dashboard;
let result: GateResult;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scanDurationMs: 300 });
  client = createQualysClient({
    apiUrl: sim.url,
    auth: { kind: "basic", username: sim.credentials.username, password: sim.credentials.password },
  });
  result = await failingWasGate(sim, client);
  // Recorded through the store, as `scan was --db` records them, and read back by the dashboard's reader.
  const file = await sampleStore();
  const store = await openStore(`sqlite:${file}`);
  try {
    await store.recordGateRun(gateRunInput(result));
    await store.recordGateRun(gateRunInput(result));
  } finally {
    await store.close();
  }
  reader = await openStoreReader(file);
  dashboard = createDashboard({ reader });
});

afterAll(async () => {
  await reader?.close();
  await client?.close();
  await sim?.close();
});

const get = (path: string) => dashboard.fetch(new Request(`http://127.0.0.1:8080${path}`));

describe("gate runs", () => {
  it("lists the recorded runs newest first, linked to each run and to the runs of its web app", async () => {
    expect(result.verdict).toBe("failed");
    const text = await (await get("/gate-runs")).text();
    const ids = [...text.matchAll(/<a href="\/gate-runs\/(\d+)">/g)].map((m) => m[1]);
    expect(ids).toEqual(["2", "1"]);
    expect(text).toContain(`/gate-runs?target=${encodeURIComponent(result.scan?.target.id ?? "")}`);
  });

  it("shows a run's Summary with the same renderer output as report.html, under the strict CSP", async () => {
    const response = await get("/gate-runs/1");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    const text = await response.text();
    // The recorded result, parsed back, renders exactly as the gate rendered it.
    for (const section of [renderVerdict, renderScanDetails, renderSeverityChart, renderCriteriaTable])
      expect(text).toContain(section(result));
    expect(text).toContain('<svg class="severity-chart"');
    expect(text).not.toMatch(/style=|<style|<script>/);
  });

  it("shows a run's Vulnerabilities view with each finding's detail, and a 404 for an unknown run", async () => {
    const text = await (await get("/gate-runs/1/vulnerabilities")).text();
    expect(text).toContain(`<h2>Vulnerabilities (${result.findings.length})</h2>`);
    expect(text).toContain("<details");
    expect((await get("/gate-runs/99")).status).toBe(404);
  });

  it("a store without gate runs says so", async () => {
    const plain = createDashboard({ reader, gateRuns: null });
    const text = await (await plain.fetch(new Request("http://127.0.0.1:8080/gate-runs"))).text();
    expect(text).toContain("This store records no gate runs");
  });
});
