/**
 * `openStore(location)`: `sqlite:PATH` (or a path ending in .db, or `sqlite::memory:`) for the embedded default,
 * `postgres://…` for PostgreSQL. The location shown back never contains a password.
 */

import { existsSync } from "node:fs";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { KyselyStore } from "./kysely-store.js";
import { type Database, migrations } from "./schema.js";
import type { Store } from "./store.js";

export class StoreLocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreLocationError";
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
    const { error, results } = await new Migrator({
      db,
      provider: { getMigrations: async () => migrations(dialect) },
      migrationTableName: "schema_migrations",
      migrationLockTableName: "schema_migrations_lock",
    }).migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === "Error")?.migrationName;
      throw new Error(
        `database migration ${failed ?? ""} failed: ${(error as Error).message ?? String(error)}`,
      );
    }
  };
}

export interface OpenStoreOptions {
  /** Open an existing SQLite database only, never create one: for commands that only read (export). */
  mustExist?: boolean;
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
      throw new StoreLocationError(
        `--db ${redactLocation(text)}: cannot connect (${(error as Error).message})`,
      );
    }
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    // kysely ends only a pool it has used; the connection check above used it directly, so end it here too.
    const close = async () => {
      await db.destroy();
      if (!pool.ended) await pool.end().catch(() => undefined);
    };
    return new KyselyStore("postgres", redactLocation(text), db, migrator(db, "postgres"), close);
  }
  let path: string;
  if (text.startsWith("sqlite:")) path = text.slice("sqlite:".length);
  else if (/\.(db|sqlite3?)$/i.test(text)) path = text;
  else
    throw new StoreLocationError(
      `--db ${redactLocation(text)}: not a database location; use sqlite:PATH (e.g. sqlite:./qualys.db) or postgres://user@host:5432/db`,
    );
  if (path === "") throw new StoreLocationError("--db sqlite: needs a path, e.g. sqlite:./qualys.db");
  if (options.mustExist && path !== ":memory:" && !existsSync(path))
    throw new StoreLocationError(`--db ${text}: no database there (this command only reads; run sync first)`);
  let sqlite: BetterSqlite3.Database | undefined;
  try {
    sqlite = new BetterSqlite3(path, { fileMustExist: options.mustExist === true && path !== ":memory:" });
    // WAL: readers (the dashboard, an export) do not block the sync, and a killed sync leaves no torn page.
    // This first statement is also where SQLite finds out that the file is no database at all.
    sqlite.pragma("journal_mode = WAL");
  } catch (error) {
    sqlite?.close();
    throw new StoreLocationError(
      `--db ${text}: cannot open as a SQLite database (${(error as Error).message})`,
    );
  }
  sqlite.pragma("busy_timeout = 10000");
  sqlite.pragma("foreign_keys = ON");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return new KyselyStore("sqlite", `sqlite:${path}`, db, migrator(db, "sqlite"), () => db.destroy());
}
