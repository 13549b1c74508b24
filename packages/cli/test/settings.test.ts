import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_CONCURRENCY, DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, PAGE_SIZE } from "@qualys-connector/client";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/exit-codes.js";
import { loadSettings } from "../src/settings.js";
import { spawnCli } from "./spawn-cli.js";

const PROXY_PASSWORD = "pr0xy-Secret:pw";
const PASSWORD = "hunter2:Pa ss";

function configFile(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "qc-settings-")), name);
  writeFileSync(file, text);
  return file;
}

function loadError(file: string): Error {
  try {
    loadSettings({ config: file }, { QUALYS_USERNAME: "u", QUALYS_PASSWORD: "p" }, () => "");
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the settings file to be refused");
}

describe("a settings file that does not parse", () => {
  it.each([
    [
      "settings.yaml",
      `apiUrl: https://qualysapi.qualys.com\nproxy: http://puser:${PROXY_PASSWORD}@proxy.example:3128\npassword: ${PASSWORD}: x\n`,
      /"[^"]*settings\.yaml" is not valid YAML at line 3, column \d+: /,
    ],
    [
      "settings.yaml",
      `proxy: "http://puser:${PROXY_PASSWORD}@proxy.example:3128\n`,
      /"[^"]*settings\.yaml" is not valid YAML at line \d+, column \d+: a closing quote or bracket is missing/,
    ],
    [
      "settings.json",
      `{\n  "proxy": "http://puser:${PROXY_PASSWORD}@proxy.example:3128",\n  "password": ${PASSWORD}\n}\n`,
      /"[^"]*settings\.json" is not valid JSON at line 3, column 15: expected a value/,
    ],
  ])("%s: names the file, line and column, and quotes nothing of it", (name, text, expected) => {
    const error = loadError(configFile(name, text));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(expected);
    for (const secret of [PASSWORD, "hunter2", PROXY_PASSWORD, "pr0xy", "puser", "proxy.example"])
      expect(error.message).not.toContain(secret);
  });
});

describe("the CLI's last line of defence", () => {
  it("an error that quotes a setting holding the password prints it masked", async () => {
    const password = "l0ng:pass/wörd";
    const result = await spawnCli(
      ["was", "webapps", "list", "--api-url", `http://u:${encodeURIComponent(password)}@qualys.example.com`],
      { QUALYS_USERNAME: "u", QUALYS_PASSWORD: password },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("--api-url");
    expect(result.stderr).toContain("[REDACTED]");
    for (const secret of [password, encodeURIComponent(password)])
      expect(result.stderr).not.toContain(secret);
  });
});

describe("the client's limits and defaults", () => {
  const env = { QUALYS_USERNAME: "u", QUALYS_PASSWORD: "p", QUALYS_API_URL: "https://qualysapi.qualys.com" };

  it("are the settings' defaults", () => {
    const { client } = loadSettings({}, env, () => "");
    expect(client.pageSize).toBe(PAGE_SIZE.default);
    expect(client.concurrency).toBe(DEFAULT_CONCURRENCY);
    expect(client.timeoutMs).toBe(DEFAULT_TIMEOUT_MS);
    expect(client.maxRetries).toBe(DEFAULT_RETRY.maxRetries);
  });

  it("bound --page-size", () => {
    expect(loadSettings({ pageSize: String(PAGE_SIZE.max) }, env, () => "").client.pageSize).toBe(
      PAGE_SIZE.max,
    );
    expect(() => loadSettings({ pageSize: String(PAGE_SIZE.max + 1) }, env, () => "")).toThrow(
      `--page-size: "${PAGE_SIZE.max + 1}" must be a whole number from ${PAGE_SIZE.min} to ${PAGE_SIZE.max}`,
    );
  });
});
