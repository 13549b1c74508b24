import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createQualysClient } from "@qualys-connector/client";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { openStore, type Store } from "@qualys-connector/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSync } from "../src/index.js";

const USER = "sim_user";
const PASSWORD = "Pa:ss/w rd&é";
const BASIC = Buffer.from(`${USER}:${PASSWORD}`, "utf8").toString("base64");

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, webapps: 2, findingsPerWebapp: 1, password: PASSWORD });
});
afterAll(async () => {
  await sim?.close();
});

/** A store whose transactions fail with a message quoting the credentials, as a driver error quoting a value might. */
function failingStore(store: Store): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === "transaction")
        return async () => {
          throw new Error(`write failed near "Basic ${BASIC}" (password ${PASSWORD})`);
        };
      const value = Reflect.get(target, property) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("sync run errors", () => {
  it("are stored and reported with the client's known secrets masked", async () => {
    const store = await openStore(
      `sqlite:${path.join(mkdtempSync(path.join(tmpdir(), "qc-runerr-")), "q.db")}`,
    );
    await store.migrate();
    const client = createQualysClient({
      apiUrl: sim.url,
      auth: { kind: "basic", username: USER, password: PASSWORD },
      maxRetries: 0,
    });
    try {
      const report = await runSync(client, failingStore(store), {
        subscription: { apiUrl: sim.url, username: USER },
        objects: ["webapps"],
        full: false,
        filters: {},
        pageSize: 100,
      });
      const runs = await store.runs();
      const texts = [report.streams[0]?.error ?? "", ...runs.flatMap((r) => r.errors)];
      expect(runs.map((r) => r.status)).toEqual(["failed"]);
      for (const text of texts) {
        expect(text).toContain("write failed");
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain(BASIC);
      }
    } finally {
      await client.close();
      await store.close();
    }
  });
});
