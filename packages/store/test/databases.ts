/**
 * The databases a store suite runs on: always SQLite (a fresh file in a temp dir per test), and PostgreSQL when
 * `PG_URL` is set (CI sets `postgres://postgres@127.0.0.1:5432/postgres`), with a fresh database per test made
 * through that URL and dropped after the test. When `PG_URL` is set but the server cannot be reached the
 * PostgreSQL tests fail rather than skip, so CI notices.
 */

import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe } from "vitest";
import { openStore, type Store } from "../src/index.js";

/** The PostgreSQL server to make test databases on; an empty value counts as unset. */
export const PG_URL: string | undefined = process.env.PG_URL || undefined;

const PG_SKIPPED = "postgres (PG_URL not set: PostgreSQL store tests skipped)";

/** One database per test, handed to a suite. */
export interface TestDatabase {
  readonly dialect: "sqlite" | "postgres";
  /** The location of the current test's fresh, empty database (a URL or `sqlite:PATH`). */
  readonly location: string;
  /** Open a store at `location` (the current test's database by default); closed after the test. */
  open(location?: string): Promise<Store>;
}

/** What differs between the databases: how a fresh one is made and removed. */
interface Provider {
  dialect: "sqlite" | "postgres";
  setup(): Promise<void>;
  create(): Promise<string>;
  drop(location: string): Promise<void>;
  teardown(): Promise<void>;
}

function sqliteProvider(): Provider {
  let dir: string | undefined;
  return {
    dialect: "sqlite",
    async setup() {},
    async create() {
      dir = await mkdtemp(path.join(os.tmpdir(), "qc-store-"));
      return `sqlite:${path.join(dir, "store.db")}`;
    },
    async drop() {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      dir = undefined;
    },
    async teardown() {},
  };
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

function postgresProvider(serverUrl: string): Provider {
  let admin: pg.Client | undefined;
  let counter = 0;
  const names = new Map<string, string>();
  const connected = (): pg.Client => {
    if (admin === undefined)
      throw new Error("PostgreSQL admin connection not open (see the beforeAll error)");
    return admin;
  };
  return {
    dialect: "postgres",
    async setup() {
      const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => undefined);
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`PG_URL is set but PostgreSQL at ${redact(serverUrl)} cannot be reached: ${reason}`);
      }
      admin = client;
    },
    async create() {
      counter += 1;
      const name = `qc_store_${process.pid}_${counter}`;
      const client = connected();
      // A name left over from an interrupted run of a process with the same pid.
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      names.set(url.href, name);
      return url.href;
    },
    async drop(location) {
      const name = names.get(location);
      if (name === undefined) return;
      names.delete(location);
      await connected().query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    },
    async teardown() {
      await admin?.end();
      admin = undefined;
    },
  };
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.href;
  } catch {
    return "(unparsable PG_URL)";
  }
}

/** Wire one provider into the current describe block: a fresh database before each test, removed after it. */
function databaseFor(provider: Provider): TestDatabase {
  let current: string | undefined;
  let stores: Store[] = [];
  beforeAll(() => provider.setup());
  afterAll(() => provider.teardown());
  beforeEach(async () => {
    current = await provider.create();
  });
  afterEach(async () => {
    const open = stores;
    stores = [];
    // Stores first: PostgreSQL cannot drop a database with open connections (FORCE aside), and SQLite
    // keeps the file open.
    const closed = await Promise.allSettled(open.map((store) => store.close()));
    if (current !== undefined) await provider.drop(current);
    current = undefined;
    const failure = closed.find((result) => result.status === "rejected");
    if (failure) throw failure.reason;
  });
  const location = (): string => {
    if (current === undefined) throw new Error("no test database: use it inside a test");
    return current;
  };
  return {
    dialect: provider.dialect,
    get location() {
      return location();
    },
    async open(at = location()) {
      const store = await openStore(at);
      stores.push(store);
      return store;
    },
  };
}

let warned = false;

/**
 * Run `suite` once per database: `sqlite`, and `postgres` when `PG_URL` is set (skipped with a warning
 * otherwise). Each test gets a fresh database through the `TestDatabase` it is given.
 */
export function describeEachDatabase(suite: (db: TestDatabase) => void): void {
  describe("sqlite", () => {
    suite(databaseFor(sqliteProvider()));
  });
  if (PG_URL === undefined && !warned) {
    warned = true;
    console.warn("PG_URL is not set: PostgreSQL store tests are skipped (CI sets it).");
  }
  describe.skipIf(PG_URL === undefined)(PG_URL === undefined ? PG_SKIPPED : "postgres", () => {
    suite(databaseFor(postgresProvider(PG_URL ?? "postgres://unset")));
  });
}
