/**
 * Synced findings keep the edition of their OWASP classes (`A03:2021`), read from the URL Qualys gives with the
 * bare rank, on SQLite and (with PG_URL) PostgreSQL; rows stored before, with bare codes, still read back.
 */

import { createQualysClient } from "@qualys-connector/client";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { runSync } from "@qualys-connector/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openMigrated, STORE_KINDS } from "./sync-stores.js";

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, webapps: 2, findingsPerWebapp: 40, kbSize: 300 });
});
afterAll(async () => {
  await sim?.close();
});

describe.each(STORE_KINDS)("OWASP editions in $name", (kind) => {
  afterAll(() => kind.cleanup());

  it("stores each OWASP class with its edition and each WASC code with its prefix", async () => {
    const store = await openMigrated(await kind.create());
    const client = createQualysClient({
      apiUrl: sim.url,
      auth: { kind: "basic", username: "sim_user", password: "sim-password" },
    });
    try {
      const report = await runSync(client, store, {
        subscription: { apiUrl: sim.url, username: "sim_user" },
        objects: ["findings"],
        full: false,
        filters: {},
        pageSize: 100,
      });
      expect(report.streams[0]?.status).toBe("succeeded");
      const owasp: string[] = [];
      const wasc: string[] = [];
      for await (const { record } of store.findings({ subscriptionId: report.subscriptionId })) {
        owasp.push(...record.owasp);
        wasc.push(...record.wasc);
      }
      expect(owasp.length).toBeGreaterThan(0);
      expect(owasp.filter((c) => !/^A\d{2}:2021$/.test(c))).toEqual([]);
      expect(wasc.filter((c) => !/^WASC-\d+$/.test(c))).toEqual([]);
    } finally {
      await client.close();
      await store.close();
    }
  });
});
