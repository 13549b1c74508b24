import { createQualysClient } from "@qualys-connector/client";
import {
  detectCi,
  normalizePolicy,
  readBaseline,
  renderScanName,
  WebAppLookupError,
} from "@qualys-connector/gate";
import { openStore } from "@qualys-connector/store";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { FLAG_OF, messageInFlags } from "../src/option-flags.js";
import { createProgram } from "../src/program.js";

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("nothing thrown");
}

async function rejected(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("nothing thrown");
}

describe("library errors name options; the CLI writes its flags", () => {
  it("client settings", () => {
    const error = thrown(() =>
      createQualysClient({ auth: { kind: "basic", username: "u", password: "p" }, pageSize: 5000 }),
    );
    expect((error as Error).message).not.toContain("--");
    expect(messageInFlags(error)).toBe(
      "configuration problems:\n- --api-url or --platform is required\n- --page-size: 5000 must be 1 to 1000",
    );
  });

  it("policy values, the policy file and the baseline", () => {
    const policy = thrown(() => normalizePolicy({ cvssVersion: "3", minSeverity: "9" }, undefined));
    expect((policy as Error).message).toBe(
      'invalid policy:\n  minSeverity: "9" is not a severity from 1 to 5\n  cvssVersion: needs failOnCvss (or failOnCvss in the policy)',
    );
    expect(messageInFlags(policy)).toBe(
      'invalid policy:\n  --min-severity: "9" is not a severity from 1 to 5\n  --cvss-version: needs --fail-on-cvss (or failOnCvss in the policy)',
    );
    expect(messageInFlags(thrown(() => readBaseline("/nonexistent/base.json")))).toBe(
      "--baseline /nonexistent/base.json: cannot be read (ENOENT)",
    );
  });

  it("the scan name, the web app and the store location", async () => {
    const ci = detectCi({});
    expect(messageInFlags(thrown(() => renderScanName("  ", ci, new Date(0))))).toBe(
      "--scan-name: the name is empty",
    );
    const lookup = new WebAppLookupError([{ option: "webApp" }, ": no web app has id 7"], []);
    expect(lookup.message).toBe("webApp: no web app has id 7");
    expect(messageInFlags(lookup)).toBe("--webapp: no web app has id 7");
    const store = await rejected(() => openStore("mysql://x"));
    expect((store as Error).message).toMatch(/^location mysql:\/\/x: not a database location/);
    expect(messageInFlags(store)).toMatch(/^--db mysql:\/\/x: not a database location/);
  });

  it("maps each option to a flag some command has", () => {
    const flags = new Set<string>();
    const walk = (command: Command): void => {
      for (const option of command.options) if (option.long) flags.add(option.long);
      command.commands.forEach(walk);
    };
    walk(createProgram());
    expect(Object.values(FLAG_OF).filter((flag) => !flags.has(flag))).toEqual([]);
  });
});
