import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../src/index.js";

const dir = mkdtempSync(path.join(tmpdir(), "qc-pages-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pragma(file: string, name: string): unknown {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return db.pragma(name, { simple: true });
  } finally {
    db.close();
  }
}

describe("SQLite page size", () => {
  it("gives a new database 16 KiB pages, in WAL mode", async () => {
    const file = path.join(dir, "new.db");
    const store = await openStore(`sqlite:${file}`);
    await store.migrate();
    await store.close();
    expect(pragma(file, "page_size")).toBe(16384);
    expect(pragma(file, "journal_mode")).toBe("wal");
  });

  it("leaves an existing database's pages as they are, and its rows readable", async () => {
    const file = path.join(dir, "old.db");
    const old = new BetterSqlite3(file);
    old.pragma("page_size = 4096");
    old.pragma("journal_mode = WAL");
    old.close();
    const store = await openStore(`sqlite:${file}`);
    await store.migrate();
    const subscriptionId = await store.subscription({ apiUrl: "file:", username: "pages" });
    await store.close();
    expect(pragma(file, "page_size")).toBe(4096);
    const reopened = await openStore(`sqlite:${file}`, { mustExist: true });
    expect(await reopened.subscription({ apiUrl: "file:", username: "pages" })).toBe(subscriptionId);
    await reopened.close();
  });
});
