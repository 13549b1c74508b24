/**
 * Stores for the end-to-end sync tests: a SQLite file, and a fresh PostgreSQL database when PG_URL is set (CI
 * sets it). Without PG_URL the PostgreSQL runs skip with a message; with PG_URL set but unreachable they fail.
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openStore, type Store } from "@qualys-connector/store";
import type { SyncOptions } from "@qualys-connector/sync";
import pg from "pg";

export const PG_URL = process.env.PG_URL || undefined;
export const PG_SKIP_MESSAGE =
  "PostgreSQL sync tests skipped: set PG_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)";

export interface StoreKind {
  name: "sqlite" | "postgres";
  /** A fresh, empty database; returns its location. */
  create(): Promise<string>;
  /** Remove every database this kind created. */
  cleanup(): Promise<void>;
}

let counter = 0;

export const sqliteKind: StoreKind = {
  name: "sqlite",
  async create() {
    return `sqlite:${path.join(mkdtempSync(path.join(tmpdir(), "qc-sync-")), "qualys.db")}`;
  },
  async cleanup() {},
};

export function postgresKind(serverUrl: string): StoreKind {
  const created: string[] = [];
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    name: "postgres",
    async create() {
      counter += 1;
      const name = `qc_sync_${process.pid}_${counter}`;
      await admin((c) =>
        c
          .query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
          .then(() => c.query(`CREATE DATABASE ${name}`)),
      );
      created.push(name);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async cleanup() {
      await admin(async (c) => {
        for (const name of created.splice(0)) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}

export const STORE_KINDS: StoreKind[] = [sqliteKind, ...(PG_URL ? [postgresKind(PG_URL)] : [])];

export async function openMigrated(location: string): Promise<Store> {
  const store = await openStore(location);
  await store.migrate();
  return store;
}

/** A first sync of every object from the simulator at `simUrl` as `sim_user`, pages of 100 unless `extra` says. */
export function syncOptions(simUrl: string, extra: Partial<SyncOptions> = {}): SyncOptions {
  return {
    subscription: { apiUrl: simUrl, username: "sim_user" },
    objects: ["webapps", "findings", "definitions"],
    full: false,
    filters: {},
    pageSize: 100,
    ...extra,
  };
}
