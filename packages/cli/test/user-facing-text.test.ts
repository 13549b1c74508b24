/**
 * What users read: no internal documents in help, specs, schemas or docs; --config keys documented and accepted
 * in both spellings; inventory help lists only the exit codes those commands can return.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { specMessage } from "@qualys-connector/sync";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { createProgram } from "../src/program.js";
import { CONFIG_KEYS, loadSettings } from "../src/settings.js";
import { spawnCli as run } from "./spawn-cli.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
/**
 * Internal documents and working notes that mean nothing to a user. (The repository's own docs/qualys-api.md is
 * a public document; a reference to it is fine.)
 */
const INTERNAL = /seed \d{3}|\.\.\/shared|peers-ci-gates|packages\/gate\/schema|\(issue \d+\)/i;

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(full);
    return entry.name.endsWith(".md") ? [full] : [];
  });
}

describe("user-facing text names no internal document", () => {
  it("in the help of every command", () => {
    for (const command of allCommands(createProgram())) {
      const help = command.helpInformation();
      expect(help, command.name()).not.toMatch(INTERNAL);
    }
  });

  it("in the Airbyte spec and the policy schema", () => {
    expect(JSON.stringify(specMessage())).not.toMatch(INTERNAL);
    expect(readFileSync(path.join(root, "packages/gate/schema/policy.schema.json"), "utf8")).not.toMatch(
      INTERNAL,
    );
  });

  it("in the docs and the package READMEs", () => {
    const files = [
      path.join(root, "README.md"),
      ...markdownFiles(path.join(root, "docs")),
      ...readdirSync(path.join(root, "packages")).map((p) => path.join(root, "packages", p, "README.md")),
    ].filter((file) => {
      try {
        readFileSync(file);
        return true;
      } catch {
        return false;
      }
    });
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const hits = readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => INTERNAL.test(line));
      expect(hits, path.relative(root, file)).toEqual([]);
    }
  });

  it("--policy help points to the documentation, not a repository path", () => {
    const scanWas = allCommands(createProgram()).find(
      (c) => c.name() === "was" && c.parent?.name() === "scan",
    );
    expect(scanWas?.helpInformation()).toContain('docs/gate.md, "The policy file"');
  });
});

describe("--config keys", () => {
  const stdin = () => "";
  const env = { QUALYS_PASSWORD: "p" };
  const file = (content: string, name = "qualys.yaml") => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "qc-config-")), name);
    writeFileSync(out, content);
    return out;
  };

  it("accepts the Airbyte config's snake_case names, mapped to the same settings", () => {
    const config = file(
      "api_url: https://qualysapi.qg2.apps.qualys.com\nusername: ci_bot\npage_size: 500\nrequest_timeout: 30\nmax_retries: 1\n",
    );
    expect(loadSettings({ config }, env, stdin).client).toMatchObject({
      apiUrl: "https://qualysapi.qg2.apps.qualys.com",
      pageSize: 500,
      timeoutMs: 30_000,
      maxRetries: 1,
      auth: { kind: "basic", username: "ci_bot" },
    });
    const json = file(
      JSON.stringify({ apiUrl: "https://qualysapi.qualys.com", username: "u", pageSize: 7 }),
      "q.json",
    );
    expect(loadSettings({ config: json }, env, stdin).client).toMatchObject({ pageSize: 7 });
  });

  it("refuses both spellings of one setting, secrets in either spelling, and unknown keys", () => {
    const both = file("api_url: https://a.example\napiUrl: https://b.example\nusername: u\n");
    expect(() => loadSettings({ config: both }, env, stdin)).toThrow(/both given; keep one/);
    const secret = file("platform: US1\nusername: u\nclient_secret: s\n");
    expect(() => loadSettings({ config: secret }, env, stdin)).toThrow(/"client_secret" must not be stored/);
    const odd = file("platform: US1\nusername: u\nconstructor: x\n");
    expect(() => loadSettings({ config: odd }, env, stdin)).toThrow(/unknown setting "constructor"/);
  });

  it("every key is documented in docs/configuration.md", () => {
    const doc = readFileSync(path.join(root, "docs/configuration.md"), "utf8");
    for (const key of Object.keys(CONFIG_KEYS)) expect(doc, key).toContain(`\`${key}\``);
  });
});

describe("exit codes in --help", () => {
  it.each(["was webapps list", "vm networks list", "kb show"])("%s lists only 0 and 3", async (command) => {
    const result = await run([...command.split(" "), "--help"]);
    expect(result.code).toBe(0);
    const codes = result.stdout.slice(result.stdout.indexOf("Exit codes:"));
    expect(codes).toMatch(/^Exit codes:\n {2}0 {2}success\n {2}3 {2}error/);
    expect(codes).not.toMatch(/^ {2}[12] /m);
  });

  it("the gates still list all four", async () => {
    const result = await run(["scan", "was", "--help"]);
    expect(result.stdout).toMatch(/^ {2}1 {2}the gate's policy failed$/m);
    expect(result.stdout).toMatch(/^ {2}2 {2}the gate's scan did not complete/m);
  });
});
