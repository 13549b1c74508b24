import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../src/exit-codes.js";
import { loadSettings } from "../src/settings.js";
import { spawnCli as run } from "./spawn-cli.js";

const ODD = "pa:ss:wörd-é€";

describe("qualys-connector doctor", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ password: ODD, webapps: 2, findingsPerWebapp: 2, hosts: 1, kbSize: 200 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it.each([
    ["basic", { QUALYS_PASSWORD: ODD }, ["--username", "sim_user"]],
    ["session", { QUALYS_PASSWORD: ODD }, ["--username", "sim_user", "--auth", "session"]],
    [
      "oauth",
      { QUALYS_CLIENT_ID: "sim-client-id", QUALYS_CLIENT_SECRET: "sim-client-secret" },
      ["--auth", "oauth"],
    ],
  ])("passes with %s auth and a password with ':' and 'é' (exit 0)", async (_mode, env, args) => {
    const result = await run(["doctor", "--api-url", sim.url, ...args], env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("✓ credentials: accepted");
    expect(result.stdout).not.toContain("✗");
  });

  it("refused credentials: exit 3, says so, and the password appears nowhere", async () => {
    const wrong = "Wr0ng:pässwörd";
    const result = await run(["doctor", "--api-url", sim.url, "--username", "sim_user", "--format", "json"], {
      QUALYS_PASSWORD: wrong,
    });
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      checks: { name: string; ok: boolean; detail: string }[];
    };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === "credentials")).toMatchObject({
      ok: false,
      detail: "Qualys refused the credentials",
    });
    expect(`${result.stdout}${result.stderr}`).not.toContain(wrong);
    expect(`${result.stdout}${result.stderr}`).not.toContain(encodeURIComponent(wrong));
  });

  it("names the module a user lacks (exit 3)", async () => {
    const result = await run(["doctor", "--api-url", sim.url, "--username", "sim_was_only"], {
      QUALYS_PASSWORD: ODD,
    });
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/✗ VM access: the user may not use the VM API/);
    expect(result.stdout).toMatch(/✗ KnowledgeBase access: the user may not use the KB API/);
    expect(result.stdout).toContain("✓ WAS access");
  });

  it("reads the password from standard input and from a file", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "qc-doctor-"));
    const file = path.join(dir, "password");
    writeFileSync(file, `${ODD}\n`);
    expect(
      (await run(["doctor", "--api-url", sim.url, "--username", "sim_user", "--password-file", file], {}))
        .code,
    ).toBe(0);
    expect(
      (
        await run(
          ["doctor", "--api-url", sim.url, "--username", "sim_user", "--password-stdin"],
          {},
          `${ODD}\n`,
        )
      ).code,
    ).toBe(0);
  });

  it("an unreachable server is a failed check with a remedy, exit 3", async () => {
    const result = await run(
      ["doctor", "--api-url", "http://127.0.0.1:9", "--username", "u", "--max-retries", "0"],
      { QUALYS_PASSWORD: "x" },
    );
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/✗ reachability/);
    expect(result.stdout).toContain("remedy:");
  });
});

describe("connection settings", () => {
  const stdin = () => "";
  it("takes flags over environment over the config file, and validates each", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "qc-settings-"));
    const config = path.join(dir, "qualys.yaml");
    writeFileSync(config, "platform: EU2\nusername: from-file\npageSize: 500\ntimeout: 30\n");
    const loaded = loadSettings({ config, username: "from-flag" }, { QUALYS_PASSWORD: "p" }, stdin);
    expect(loaded.client).toMatchObject({
      platform: "EU2",
      pageSize: 500,
      timeoutMs: 30_000,
      auth: { kind: "basic", username: "from-flag" },
    });
    const fromEnv = loadSettings({ config }, { QUALYS_PASSWORD: "p", QUALYS_USERNAME: "from-env" }, stdin);
    expect(fromEnv.client.auth).toMatchObject({ username: "from-env" });
  });

  it.each([
    [{}, {}, "--api-url or --platform is required"],
    [
      { apiUrl: "https://x", platform: "US1" },
      { QUALYS_PASSWORD: "p", QUALYS_USERNAME: "u" },
      "give one, not both",
    ],
    [
      { platform: "US1", auth: "kerberos" },
      { QUALYS_PASSWORD: "p", QUALYS_USERNAME: "u" },
      '--auth: "kerberos" must be basic, session or oauth',
    ],
    [
      { platform: "US1", pageSize: "5000" },
      { QUALYS_PASSWORD: "p", QUALYS_USERNAME: "u" },
      '--page-size: "5000" must be a whole number from 1 to 1000',
    ],
    [{ platform: "US1" }, { QUALYS_USERNAME: "u" }, "a password is required"],
    [{ platform: "US1", auth: "oauth" }, {}, "set QUALYS_CLIENT_ID and QUALYS_CLIENT_SECRET"],
  ])("rejects %o %o", (flags, env, message) => {
    expect(() => loadSettings(flags, env, stdin)).toThrow(UsageError);
    expect(() => loadSettings(flags, env, stdin)).toThrow(message);
  });

  it("refuses a password in the config file, and unknown keys", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "qc-settings-"));
    const config = path.join(dir, "qualys.json");
    writeFileSync(config, JSON.stringify({ platform: "US1", password: "nope", colour: "blue" }));
    expect(() => loadSettings({ config }, { QUALYS_PASSWORD: "p", QUALYS_USERNAME: "u" }, stdin)).toThrow(
      /"password" must not be stored/,
    );
    expect(() => loadSettings({ config }, { QUALYS_PASSWORD: "p", QUALYS_USERNAME: "u" }, stdin)).toThrow(
      /unknown setting "colour"/,
    );
  });

  it("honours HTTPS_PROXY unless NO_PROXY covers the host, and warns about --insecure", () => {
    const env = { QUALYS_PASSWORD: "p", QUALYS_USERNAME: "u", HTTPS_PROXY: "http://proxy.example:3128" };
    expect(loadSettings({ apiUrl: "https://qualysapi.qualys.com" }, env, stdin).client.proxy).toBe(
      "http://proxy.example:3128",
    );
    expect(
      loadSettings({ apiUrl: "https://qualysapi.qualys.com" }, { ...env, NO_PROXY: ".qualys.com" }, stdin)
        .client.proxy,
    ).toBeUndefined();
    expect(loadSettings({ platform: "US1", insecure: true }, env, stdin).warnings[0]).toContain(
      "NOT verified",
    );
  });
});
