import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openStore, StoreLocationError } from "../src/index.js";

async function refusal(location: string, mustExist = false): Promise<StoreLocationError> {
  try {
    const store = await openStore(location, { mustExist });
    await store.close();
  } catch (error) {
    if (error instanceof StoreLocationError) return error;
    throw error;
  }
  throw new Error(`${location} was opened`);
}

describe("a location the store cannot open names openStore's option, never a flag", () => {
  it("says location, keeps the location and the reason apart, and lets a caller name the option", async () => {
    const foreign = await refusal("mysql://user:secret@host/db");
    expect(foreign.message).toBe(
      "location mysql://user@host/db: not a database location; use sqlite:PATH (e.g. sqlite:./qualys.db) or postgres://user@host:5432/db",
    );
    expect(foreign).toMatchObject({ option: "location", location: "mysql://user@host/db" });
    expect(foreign.messageWith(() => "--db")).toMatch(
      /^--db mysql:\/\/user@host\/db: not a database location/,
    );

    const missing = path.join(mkdtempSync(path.join(tmpdir(), "qc-loc-")), "typo.db");
    const absent = await refusal(`sqlite:${missing}`, true);
    expect(absent.reason).toBe("no database there (this command only reads; run sync first)");
    expect(absent.message).not.toContain("--");
  });
});
