/**
 * Stores for the import tests: a SQLite file per test, and a fresh PostgreSQL database per test when PG_URL is
 * set (CI sets `postgres://postgres@127.0.0.1:5432/postgres`); without it the PostgreSQL runs are skipped with a
 * warning. Every store opened is closed and every database made is dropped after its test.
 */

import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { openStore, type Store } from "@qualys-connector/store";
import pg from "pg";
import { afterEach, describe } from "vitest";

const PG_URL = process.env.PG_URL || undefined;

export interface StoreFactory {
  dialect: "sqlite" | "postgres";
  /** A migrated store on a fresh, empty database. */
  fresh(): Promise<Store>;
}

function factory(dialect: "sqlite" | "postgres"): StoreFactory {
  const cleanups: (() => Promise<void>)[] = [];
  let counter = 0;
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  return {
    dialect,
    async fresh() {
      let location: string;
      if (dialect === "sqlite") {
        const dir = await mkdtemp(path.join(os.tmpdir(), "qc-import-"));
        cleanups.push(() => rm(dir, { recursive: true, force: true }));
        location = `sqlite:${path.join(dir, "store.db")}`;
      } else {
        counter += 1;
        const name = `qc_import_${process.pid}_${counter}`;
        await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin(`CREATE DATABASE ${name}`);
        cleanups.push(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
        const url = new URL(PG_URL ?? "postgres://unset");
        url.pathname = `/${name}`;
        location = url.href;
      }
      const store = await openStore(location);
      cleanups.push(() => store.close());
      await store.migrate();
      return store;
    },
  };
}

/** Run `suite` on SQLite, and on PostgreSQL when PG_URL is set. */
export function describeEachStore(suite: (stores: StoreFactory) => void): void {
  describe("sqlite", () => suite(factory("sqlite")));
  if (!PG_URL) console.warn("PG_URL is not set: the PostgreSQL import tests are skipped (CI sets it).");
  describe.skipIf(!PG_URL)("postgres", () => suite(factory("postgres")));
}
