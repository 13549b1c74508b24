/**
 * Exactly once: paging through 10,000 findings with limitResults=7 returns each finding exactly once, in
 * agreement with /__sim/ground-truth/findings, in both pagination styles (docs/qualys-api.md 3.5).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../../src/index.js";

const AUTH = `Basic ${Buffer.from("sim_user:sim-password").toString("base64")}`;

interface Page {
  ids: number[];
  count: number;
  hasMore: boolean;
  lastId: number | undefined;
}

async function page(sim: RunningSimulator, body: string): Promise<Page> {
  const res = await fetch(`${sim.url}/qps/rest/3.0/search/was/finding`, {
    method: "POST",
    headers: { Authorization: AUTH, "Content-Type": "text/xml", Accept: "application/json" },
    body,
  });
  const json = (await res.json()) as {
    ServiceResponse: {
      responseCode: string;
      count: number;
      hasMoreRecords?: string | boolean;
      lastId?: number;
      data?: { Finding: { id: number } }[];
    };
  };
  const sr = json.ServiceResponse;
  if (sr.responseCode !== "SUCCESS") throw new Error(`search answered ${sr.responseCode}`);
  const ids = (sr.data ?? []).map((d) => d.Finding.id);
  return { ids, count: Number(sr.count), hasMore: String(sr.hasMoreRecords) === "true", lastId: sr.lastId };
}

describe("paging through 10,000 findings with limitResults=7", () => {
  let sim: RunningSimulator;
  let truth: number[];
  beforeAll(async () => {
    sim = await startSimulator({ webapps: 100, findingsPerWebapp: 100, hosts: 0, kbSize: 1000 });
    const gt = (await (await fetch(`${sim.url}/__sim/ground-truth/findings`)).json()) as { id: number }[];
    truth = gt.map((f) => f.id).sort((a, b) => a - b);
  }, 60_000);
  afterAll(async () => {
    await sim.close();
  });

  it("has at least 10,000 findings", () => {
    expect(truth.length).toBeGreaterThanOrEqual(10_000);
  });

  it("startFromOffset style returns each finding exactly once", async () => {
    const seen: number[] = [];
    let offset = 1;
    for (;;) {
      const p = await page(
        sim,
        `<ServiceRequest><preferences><limitResults>7</limitResults><startFromOffset>${offset}</startFromOffset></preferences></ServiceRequest>`,
      );
      expect(p.count).toBe(p.ids.length);
      expect(p.count).toBeLessThanOrEqual(7);
      seen.push(...p.ids);
      // lastId is present exactly when there are more records (real J1 pagination recording).
      expect(p.lastId !== undefined).toBe(p.hasMore);
      if (!p.hasMore) break;
      offset += 7;
    }
    expect(seen).toEqual(truth);
  }, 120_000);

  it("id GREATER style returns each finding exactly once", async () => {
    const seen: number[] = [];
    let lastId = 0;
    for (;;) {
      const p = await page(
        sim,
        `<ServiceRequest><preferences><limitResults>7</limitResults></preferences><filters><Criteria field="id" operator="GREATER">${lastId}</Criteria></filters></ServiceRequest>`,
      );
      seen.push(...p.ids);
      if (!p.hasMore) break;
      expect(p.lastId).toBe(p.ids[p.ids.length - 1]);
      lastId = p.lastId ?? 0;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(truth);
  }, 120_000);
});
