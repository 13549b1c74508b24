/**
 * `openStoreReader(location)`: a store opened read-only, for the dashboard. SQLite: the file opened with a
 * read-only handle (an absent file is an error, never created; no migration runs). PostgreSQL: every transaction of
 * the pool read-only (`default_transaction_read_only`). Either way a database behind this version's migrations is
 * refused with what to run.
 */

import { existsSync } from "node:fs";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { type DashboardQueries, dashboardQueries } from "./dashboard-queries.js";
import { redactLocation, StoreLocationError } from "./open-store.js";
import { type Database, migrations } from "./schema.js";

export interface OpenStoreReaderOptions {
  /** How long a count or overview part may take on PostgreSQL before it is left out (ms). Default 2000. */
  budgetMs?: number | undefined;
}

/** A read-only store: the dashboard's queries and its close. */
export interface StoreReader extends DashboardQueries {
  readonly dialect: "sqlite" | "postgres";
  /** Where it is, without a password. */
  readonly location: string;
  close(): Promise<void>;
}

/** PostgreSQL's "canceling statement due to statement timeout". */
const QUERY_CANCELED = "57014";

/** Refuse a database that lacks migrations this version's queries need, saying what to run. */
async function checkMigrations(db: Kysely<Database>, dialect: "sqlite" | "postgres", location: string) {
  let applied: Set<string>;
  try {
    const result = await sql<{ name: string }>`select name from schema_migrations`.execute(db);
    applied = new Set(result.rows.map((r) => r.name));
  } catch {
    throw new StoreLocationError(
      location,
      "not a qualys-connector database (it has no schema_migrations table)",
    );
  }
  const missing = Object.keys(migrations(dialect)).filter((name) => !applied.has(name));
  if (missing.length > 0)
    throw new StoreLocationError(
      location,
      `the database lacks migration ${missing.join(", ")}; the dashboard never writes, so run \`qualys-connector sync\` or \`qualys-connector import\` with this version once to bring it up to date`,
    );
}

/** A read-only database handle: the kysely instance, how to run a query under the time budget, and its close. */
export interface ReadOnlyDatabase {
  db: Kysely<Database>;
  dialect: "sqlite" | "postgres";
  location: string;
  timed: <T>(work: (db: Kysely<Database>) => Promise<T>) => Promise<T | undefined>;
  close(): Promise<void>;
}

/** Open a store read-only: see the file comment. */
export async function openStoreReader(
  location: string,
  options: OpenStoreReaderOptions = {},
): Promise<StoreReader> {
  const handle = await openReadOnlyDatabase(location, options);
  return {
    ...dashboardQueries(handle.db, handle.timed),
    dialect: handle.dialect,
    location: handle.location,
    close: handle.close,
  };
}

/** The read-only handle under `openStoreReader` (exported inside the package for its tests). */
export async function openReadOnlyDatabase(
  location: string,
  options: OpenStoreReaderOptions = {},
): Promise<ReadOnlyDatabase> {
  const text = location.trim();
  const budgetMs = Math.max(1, Math.floor(options.budgetMs ?? 2000));
  if (/^postgres(ql)?:\/\//i.test(text)) {
    const shown = redactLocation(text);
    const pool = new pg.Pool({
      connectionString: text,
      max: 4,
      // Every transaction read-only, so nothing the dashboard runs can write, whatever its SQL.
      options: "-c default_transaction_read_only=on",
    });
    pool.on("error", () => undefined);
    try {
      const client = await pool.connect();
      client.release();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new StoreLocationError(shown, `cannot connect (${(error as Error).message})`);
    }
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const close = async () => {
      await db.destroy();
      if (!pool.ended) await pool.end().catch(() => undefined);
    };
    try {
      await checkMigrations(db, "postgres", shown);
    } catch (error) {
      await close();
      throw error;
    }
    const timed = async <T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T | undefined> => {
      try {
        return await db.transaction().execute(async (tx) => {
          await sql.raw(`set local statement_timeout = ${budgetMs}`).execute(tx);
          return work(tx);
        });
      } catch (error) {
        if ((error as { code?: unknown }).code === QUERY_CANCELED) return undefined;
        throw error;
      }
    };
    return { db, timed, dialect: "postgres", location: shown, close };
  }
  let path: string;
  if (text.startsWith("sqlite:")) path = text.slice("sqlite:".length);
  else if (/\.(db|sqlite3?)$/i.test(text)) path = text;
  else
    throw new StoreLocationError(
      redactLocation(text),
      "not a database location; use sqlite:PATH (e.g. sqlite:./qualys.db) or postgres://user@host:5432/db",
    );
  if (path === "" || path === ":memory:")
    throw new StoreLocationError(text, "needs the path of an existing database file");
  if (!existsSync(path))
    throw new StoreLocationError(text, "no database there (run sync, import or demo first)");
  let sqlite: BetterSqlite3.Database;
  try {
    sqlite = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
    // A query the page is waiting on never waits long on a writer's lock (WAL readers rarely wait at all).
    sqlite.pragma("busy_timeout = 2000");
  } catch (error) {
    throw new StoreLocationError(text, `cannot open as a SQLite database (${(error as Error).message})`);
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    await checkMigrations(db, "sqlite", `sqlite:${path}`);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  // SQLite runs a statement to its end on this thread: no statement timeout to set. Counts are capped
  // (COUNT_CAP) and pages are index range scans, which is what bounds them here.
  const timed = <T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T | undefined> => work(db);
  return { db, timed, dialect: "sqlite", location: `sqlite:${path}`, close: () => db.destroy() };
}
