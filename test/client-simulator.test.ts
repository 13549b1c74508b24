/**
 * The client against the simulator on 127.0.0.1: credentials in every auth mode (with ':' and 'é' in the
 * password), refused credentials without leaking the password, exact listings under faults, and API limits
 * respected without a single call sent during a wait.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQualysClient, QualysAuthError, toWebAppSummary } from "../packages/client/src/index.js";
import {
  type RunningSimulator,
  SIM_CLIENT_ID,
  SIM_CLIENT_SECRET,
  startSimulator,
} from "../packages/simulator/src/index.js";

const ODD = "pa:ss:wörd-é€";

async function groundTruth(
  sim: RunningSimulator,
  what: "webapps" | "kb",
): Promise<Record<string, unknown>[]> {
  return (await (await fetch(`${sim.url}/__sim/ground-truth/${what}`)).json()) as Record<string, unknown>[];
}

describe("client and simulator", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ password: ODD, webapps: 12, findingsPerWebapp: 3, hosts: 1, kbSize: 300 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it.each([
    ["basic", { kind: "basic", username: "sim_user", password: ODD }],
    ["session", { kind: "session", username: "sim_user", password: ODD }],
    ["oauth", { kind: "oauth", clientId: SIM_CLIENT_ID, clientSecret: SIM_CLIENT_SECRET }],
  ] as const)("connects with %s auth and reaches WAS and the KnowledgeBase", async (_name, auth) => {
    const client = createQualysClient({ apiUrl: sim.url, auth });
    try {
      const version = await client.portal.version();
      expect(version["WAS-VERSION"]).toBeDefined();
      expect(await client.was.webApps.count()).toBeGreaterThan(8);
      const first: unknown[] = [];
      for await (const v of client.kb.list({ ids: [6, 150004], details: "All" })) first.push(v);
      expect(first).toHaveLength(2);
    } finally {
      await client.close();
    }
  });

  it("refused credentials: a QualysAuthError that does not contain the password", async () => {
    const wrong = "wrong:pässword";
    for (const kind of ["basic", "session"] as const) {
      const client = createQualysClient({
        apiUrl: sim.url,
        auth: { kind, username: "sim_user", password: wrong },
      });
      const failure = await (async () => {
        try {
          if (kind === "basic") await client.portal.version();
          for await (const _ of client.kb.list({ ids: [6] })) break;
          return undefined;
        } catch (error) {
          return error as Error;
        }
      })();
      expect(failure, kind).toBeInstanceOf(QualysAuthError);
      expect(`${failure?.message} ${failure?.stack}`).not.toContain(wrong);
      expect(JSON.stringify(failure)).not.toContain(wrong);
    }
  });

  it("names the missing module when the user lacks one", async () => {
    const client = createQualysClient({
      apiUrl: sim.url,
      auth: { kind: "basic", username: "sim_vm_only", password: ODD },
    });
    await expect(client.was.webApps.count()).rejects.toMatchObject({ reason: "unauthorized", module: "WAS" });
    const wasOnly = createQualysClient({
      apiUrl: sim.url,
      auth: { kind: "basic", username: "sim_was_only", password: ODD },
    });
    await expect(
      (async () => {
        for await (const _ of wasOnly.kb.list({ ids: [6] })) break;
      })(),
    ).rejects.toMatchObject({ reason: "unauthorized", module: "KB" });
  });

  it("lists web apps exactly (both pagination styles) while 30% of calls fail", async () => {
    const faulty = await startSimulator({
      webapps: 25,
      findingsPerWebapp: 1,
      hosts: 0,
      kbSize: 100,
      faultRate: 0.3,
      faults: ["500", "502", "503", "reset", "truncate", "malformed", "html", "409"],
    });
    try {
      const truth = (await groundTruth(faulty, "webapps")).map((w) => w.id);
      for (const paging of ["id", "offset"] as const) {
        const client = createQualysClient({
          apiUrl: faulty.url,
          auth: { kind: "basic", username: "sim_user", password: "sim-password" },
          maxRetries: 10,
          pageSize: 4,
          clock: {
            now: () => Date.now(),
            sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
          },
        });
        const ids: number[] = [];
        for await (const w of client.was.webApps.search({ paging })) ids.push(toWebAppSummary(w).id);
        expect(ids).toEqual(truth);
        expect(client.stats.retries + client.stats.limitWaits).toBeGreaterThan(0);
      }
    } finally {
      await faulty.close();
    }
  });

  it("respects API limits: a 2000-QID KB listing with no call sent during a wait", async () => {
    const limited = await startSimulator({
      webapps: 0,
      findingsPerWebapp: 0,
      hosts: 0,
      kbSize: 2000,
      rateLimit: { calls: 8, windowSec: 2 },
      concurrencyLimit: 1,
    });
    try {
      const truth = (await groundTruth(limited, "kb")).map((v) => Number(v.qid));
      const client = createQualysClient({
        apiUrl: limited.url,
        auth: { kind: "basic", username: "sim_user", password: "sim-password" },
      });
      const seen: number[] = [];
      for await (const v of client.kb.list({ ids: truth, details: "None", batchSize: 100 }))
        seen.push(Number(v.QID));
      expect(seen).toEqual(truth);
      const stats = (await (await fetch(`${limited.url}/__sim/stats`)).json()) as {
        total: number;
        limits: { blocked: number; callsDuringWait: number };
      };
      expect(stats.total).toBe(20);
      expect(stats.limits.callsDuringWait).toBe(0);
      expect(stats.limits.blocked).toBe(0);
    } finally {
      await limited.close();
    }
  }, 60_000);

  it("two concurrent listings share one limiter and adapt to the concurrency limit", async () => {
    const limited = await startSimulator({
      webapps: 0,
      findingsPerWebapp: 0,
      hosts: 0,
      kbSize: 600,
      concurrencyLimit: 1,
      latencyMs: 30,
    });
    try {
      const client = createQualysClient({
        apiUrl: limited.url,
        auth: { kind: "basic", username: "sim_user", password: "sim-password" },
        concurrency: 2,
      });
      const truth = (await groundTruth(limited, "kb")).map((v) => Number(v.qid));
      const drain = async (ids: number[]) => {
        const out: number[] = [];
        for await (const v of client.kb.list({ ids, details: "None", batchSize: 50 }))
          out.push(Number(v.QID));
        return out;
      };
      const [a, b] = await Promise.all([drain(truth.slice(0, 300)), drain(truth.slice(300))]);
      expect([...a, ...b]).toEqual(truth);
      const stats = (await (await fetch(`${limited.url}/__sim/stats`)).json()) as {
        limits: { blocked: number; callsDuringWait: number };
      };
      // At most the first pair can collide before the header says "1"; after that, never again.
      expect(stats.limits.blocked).toBeLessThanOrEqual(1);
      expect(stats.limits.callsDuringWait).toBe(0);
    } finally {
      await limited.close();
    }
  });
});
