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
  /**
   * Server connections still open to the current test's database (always 0 for SQLite), after giving closing
   * ones up to `settleMs` to go.
   */
  openConnections(settleMs?: number): Promise<number>;
}

/** What differs between the databases: how a fresh one is made and removed. */
interface Provider {
  dialect: "sqlite" | "postgres";
  setup(): Promise<void>;
  create(): Promise<string>;
  drop(location: string): Promise<void>;
  openConnections(location: string, settleMs: number): Promise<number>;
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
    async openConnections() {
      return 0;
    },
    async teardown() {},
  };
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

function postgresProvider(serverUrl: string): Provider {
  // Two sessions: databases are dropped in the background on their own session while the next tests run,
  // and teardown waits for the drops.
  let admin: pg.Client | undefined;
  let dropper: pg.Client | undefined;
  let fileCopy = false;
  let counter = 0;
  let drops: Promise<void> = Promise.resolve();
  const dropFailures: string[] = [];
  const names = new Map<string, string>();
  const connected = (client: pg.Client | undefined): pg.Client => {
    if (client === undefined)
      throw new Error("PostgreSQL admin connection not open (see the beforeAll error)");
    return client;
  };
  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`PG_URL is set but PostgreSQL at ${redact(serverUrl)} cannot be reached: ${reason}`);
    }
    return client;
  };
  return {
    dialect: "postgres",
    async setup() {
      admin = await connect();
      dropper = await connect();
      const { rows } = await admin.query<{ version: number }>(
        "SELECT current_setting('server_version_num')::int AS version",
      );
      // PostgreSQL 15 made WAL_LOG the default strategy; FILE_COPY creates a small database about twice as fast.
      fileCopy = (rows[0]?.version ?? 0) >= 150_000;
    },
    async create() {
      counter += 1;
      const name = `qc_store_${process.pid}_${counter}`;
      const client = connected(admin);
      // A name left over from an interrupted run of a process with the same pid.
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${quoteIdent(name)}${fileCopy ? " STRATEGY FILE_COPY" : ""}`);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      names.set(url.href, name);
      return url.href;
    },
    async drop(location) {
      const name = names.get(location);
      if (name === undefined) return;
      names.delete(location);
      const client = connected(dropper);
      drops = drops.then(async () => {
        try {
          // A store's close() may resolve before its pool's sockets are gone, and a leaked idle connection
          // only goes at pg-pool's idle timeout (10 s). DROP ... WITH (FORCE) under a live pool kills its
          // idle client, which the pool reports as an uncaught "terminating connection" error: wait first.
          const left = await countConnections(client, name, LEAK_WAIT_MS);
          if (left > 0)
            dropFailures.push(`${left} connection(s) to ${name} still open ${LEAK_WAIT_MS} ms after close()`);
          await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
        } catch (error) {
          dropFailures.push(`dropping ${name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      });
    },
    async openConnections(location, settleMs) {
      const name = names.get(location);
      return name === undefined ? 0 : countConnections(connected(admin), name, settleMs);
    },
    async teardown() {
      await drops;
      await Promise.allSettled([admin?.end(), dropper?.end()]);
      admin = undefined;
      dropper = undefined;
      if (dropFailures.length > 0) throw new Error(dropFailures.join("\n"));
    },
  };
}

/** Longer than pg-pool's default idle timeout (10 s), inside vitest's hook timeout (30 s). */
const LEAK_WAIT_MS = 12_000;

async function countConnections(admin: pg.Client, database: string, settleMs: number): Promise<number> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const { rows } = await admin.query<{ open: number }>(
      "SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [database],
    );
    const open = rows[0]?.open ?? 0;
    if (open === 0 || Date.now() >= deadline) return open;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
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
    openConnections(settleMs = 1_000) {
      return provider.openConnections(location(), settleMs);
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
