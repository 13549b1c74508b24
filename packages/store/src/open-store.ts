/**
 * `openStore(location)`: `sqlite:PATH` (or a path ending in .db, or `sqlite::memory:`) for the embedded default,
 * `postgres://…` for PostgreSQL. The location shown back never contains a password.
 */

import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { KyselyStore, type LockProvider } from "./kysely-store.js";
import { type Database, migrations } from "./schema.js";
import type { Store, SyncLock, SyncLockOptions } from "./store.js";

export interface OpenStoreOptions {
  /** Open an existing SQLite database only, never create one: for commands that only read (export). */
  mustExist?: boolean | undefined;
  /**
   * SQLite: how long a write waits for another writer before failing (`busy_timeout`). Default 10 s. Syncs do
   * not meet each other here: they take the sync lock first (`Store.lockSync`).
   */
  busyTimeoutMs?: number | undefined;
}

/**
 * Try `attempt` until it succeeds, `waitMs` passes or the signal aborts; the pause grows from 20 ms to 500 ms, so
 * a lock freed a moment later is taken quickly and a long wait costs few queries.
 */
async function retryUntil(attempt: () => Promise<boolean>, options: SyncLockOptions): Promise<boolean> {
  const deadline = Date.now() + options.waitMs;
  let pause = 20;
  for (;;) {
    if (await attempt()) return true;
    const left = deadline - Date.now();
    if (left <= 0 || options.signal?.aborted) return false;
    await sleep(Math.min(pause, left)).catch(() => undefined);
    pause = Math.min(pause * 2, 500);
  }
}

/**
 * PostgreSQL: a session advisory lock per subscription, on a connection held for the run. The server frees it
 * when that session ends, so a killed sync never leaves it taken. The first key names this tool's locks (any
 * constant other applications are unlikely to use), the second is the subscription id.
 */
const PG_LOCK_CLASS = 0x51430001;

function postgresLock(db: Kysely<Database>): LockProvider {
  return (subscriptionId, options) =>
    new Promise<SyncLock | undefined>((resolve, reject) => {
      let letGo!: () => void;
      const released = new Promise<void>((r) => {
        letGo = r;
      });
      const session = db.connection().execute(async (connection) => {
        const taken = await retryUntil(async () => {
          const { rows } = await sql<{
            taken: boolean;
          }>`select pg_try_advisory_lock(${PG_LOCK_CLASS}, ${subscriptionId}) as taken`.execute(connection);
          return rows[0]?.taken === true;
        }, options);
        if (!taken) {
          resolve(undefined);
          return;
        }
        resolve({
          release: async () => {
            letGo();
            await session.catch(() => undefined);
          },
        });
        await released;
        await sql`select pg_advisory_unlock(${PG_LOCK_CLASS}, ${subscriptionId})`.execute(connection);
      });
      session.catch(reject);
    });
}

/**
 * SQLite: a write transaction held open on a small lock database beside the store (`PATH.sync-lock`) for the
 * run. SQLite has one writer at a time, so one lock covers the whole database; the operating system drops the
 * file lock when the process ends, so a killed sync never leaves it taken. An in-memory store cannot be shared
 * between processes: its lock is a queue inside this process.
 */
function sqliteLock(path: string): LockProvider {
  if (path === ":memory:") {
    let holder: Promise<void> = Promise.resolve();
    let held = false;
    return async (_subscriptionId, options) => {
      const taken = await retryUntil(async () => {
        await holder;
        if (held) return false;
        held = true;
        return true;
      }, options);
      if (!taken) return undefined;
      let free!: () => void;
      holder = new Promise<void>((r) => {
        free = r;
      });
      return {
        release: async () => {
          if (!held) return;
          held = false;
          free();
        },
      };
    };
  }
  return async (_subscriptionId, options) => {
    const lockDb = new BetterSqlite3(`${path}.sync-lock`);
    // Never block the thread: another store of this process may hold the lock and needs the event loop.
    lockDb.pragma("busy_timeout = 0");
    let taken = false;
    try {
      taken = await retryUntil(async () => {
        try {
          lockDb.exec("BEGIN IMMEDIATE");
          return true;
        } catch (error) {
          if (String((error as { code?: unknown }).code).startsWith("SQLITE_BUSY")) return false;
          throw error;
        }
      }, options);
    } finally {
      if (!taken) lockDb.close();
    }
    if (!taken) return undefined;
    return {
      release: async () => {
        if (!lockDb.open) return;
        if (lockDb.inTransaction) lockDb.exec("ROLLBACK");
        lockDb.close();
      },
    };
  };
}

/**
 * A store location that cannot be opened. The message names the option as openStore's caller passed it
 * (`location`); `option` and `messageWith` let a CLI write its own flag instead.
 */
export class StoreLocationError extends Error {
  /** The option at fault. */
  readonly option = "location";
  constructor(
    /** The location as given, without a password. */
    readonly location: string,
    /** What is wrong with it. */
    readonly reason: string,
  ) {
    super(`location ${location}: ${reason}`);
    this.name = "StoreLocationError";
  }
  /** The message with the option written by `name` (a CLI: its flag). */
  messageWith(name: (option: string) => string): string {
    return `${name(this.option)} ${this.location}: ${this.reason}`;
  }
}

/** The location without a password, for logs and messages. */
export function redactLocation(location: string): string {
  // Any scheme (a typo such as `postgress://` must not leak either), and libpq's `?password=` parameter.
  return location
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@]*@/i, "$1@")
    .replace(/([?&]password=)[^&]*/gi, "$1***");
}

function migrator(db: Kysely<Database>, dialect: "sqlite" | "postgres"): () => Promise<void> {
  return async () => {
    const run = () =>
      new Migrator({
        db,
        provider: { getMigrations: async () => migrations(dialect) },
        migrationTableName: "schema_migrations",
        migrationLockTableName: "schema_migrations_lock",
      }).migrateToLatest();
    let { error, results } = await run();
    // kysely's migration lock is a no-op on SQLite, so two processes opening a new database at once can both
    // try the same migration; the loser's transaction rolls back, and asking again finds it applied.
    for (let attempt = 0; error && dialect === "sqlite" && attempt < 2; attempt++)
      ({ error, results } = await run());
    if (error) {
      const failed = results?.find((r) => r.status === "Error")?.migrationName;
      throw new Error(
        `database migration ${failed ?? ""} failed: ${(error as Error).message ?? String(error)}`,
      );
    }
  };
}

/** Open (and create, for SQLite, unless `mustExist`) a store. Call `migrate()` before use. */
export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<Store> {
  const text = location.trim();
  if (/^postgres(ql)?:\/\//i.test(text)) {
    const pool = new pg.Pool({ connectionString: text, max: 4 });
    // An idle connection the server ends (restart, idle cut-off) is an "error" event on the pool; unheard, it
    // would crash the process. The pool drops that connection and opens another when needed.
    pool.on("error", () => undefined);
    // Fail now, naming the database, rather than at the first query.
    try {
      const client = await pool.connect();
      client.release();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new StoreLocationError(redactLocation(text), `cannot connect (${(error as Error).message})`);
    }
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    // kysely ends only a pool it has used; the connection check above used it directly, so end it here too.
    const close = async () => {
      await db.destroy();
      if (!pool.ended) await pool.end().catch(() => undefined);
    };
    return new KyselyStore(
      "postgres",
      redactLocation(text),
      db,
      migrator(db, "postgres"),
      close,
      postgresLock(db),
    );
  }
  let path: string;
  if (text.startsWith("sqlite:")) path = text.slice("sqlite:".length);
  else if (/\.(db|sqlite3?)$/i.test(text)) path = text;
  else
    throw new StoreLocationError(
      redactLocation(text),
      "not a database location; use sqlite:PATH (e.g. sqlite:./qualys.db) or postgres://user@host:5432/db",
    );
  if (path === "") throw new StoreLocationError("sqlite", "needs a path, e.g. sqlite:./qualys.db");
  if (options.mustExist && path !== ":memory:" && !existsSync(path))
    throw new StoreLocationError(text, "no database there (this command only reads; run sync first)");
  const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 10_000));
  let sqlite: BetterSqlite3.Database | undefined;
  try {
    sqlite = new BetterSqlite3(path, { fileMustExist: options.mustExist === true && path !== ":memory:" });
    sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // 16 KiB pages for a new database (an existing one keeps its own): a finding's evidence (up to EVIDENCE_MAX
    // per text) spans fewer overflow pages, and writing and checkpointing a big import makes fewer page writes.
    // Only a database without a page yet takes it, so it comes before the switch to WAL below.
    sqlite.pragma("page_size = 16384");
    // WAL: readers (the dashboard, an export) do not block the sync, and a killed sync leaves no torn page.
    // This first statement is also where SQLite finds out that the file is no database at all. Switching a new
    // database to WAL can answer SQLITE_BUSY without waiting while another process opens it at the same moment
    // (two syncs started together), so that answer is tried again for as long as any other write would wait.
    const database = sqlite;
    const switched = await retryUntil(
      async () => {
        try {
          database.pragma("journal_mode = WAL");
          return true;
        } catch (error) {
          if (String((error as { code?: unknown }).code).startsWith("SQLITE_BUSY")) return false;
          throw error;
        }
      },
      { waitMs: busyTimeoutMs },
    );
    if (!switched) database.pragma("journal_mode = WAL");
  } catch (error) {
    sqlite?.close();
    throw new StoreLocationError(text, `cannot open as a SQLite database (${(error as Error).message})`);
  }
  sqlite.pragma("foreign_keys = ON");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return new KyselyStore(
    "sqlite",
    `sqlite:${path}`,
    db,
    migrator(db, "sqlite"),
    () => db.destroy(),
    sqliteLock(path),
  );
}
