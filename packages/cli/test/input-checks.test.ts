/**
 * Bad input on the CLI user's path is refused before any API call or file write, names the flag, and exits 3;
 * hints point at commands that exist; export's --out failures are clean errors that leave no file behind.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { openStore } from "@qualys-connector/store";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, spawnCli as run } from "./spawn-cli.js";

const CREDENTIALS = { QUALYS_USERNAME: "sim_user", QUALYS_PASSWORD: "sim-password" };

/** An exit 3 naming the flag, with no stack trace and no Node warning. */
function expectUsageError(result: CliResult, flag: string, message: RegExp | string): void {
  expect(result.code).toBe(3);
  expect(result.stderr).toContain(`error: ${flag}`);
  if (typeof message === "string") expect(result.stderr).toContain(message);
  else expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/Warning/);
}

describe("input checks before any API call", () => {
  let server: Server;
  let url: string;
  let requests = 0;
  const dir = mkdtempSync(path.join(tmpdir(), "qc-input-"));
  beforeAll(async () => {
    // Every request is counted: the checks below must refuse the input before the first one.
    server = createServer((_req, res) => {
      requests += 1;
      res.statusCode = 500;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const env = () => ({ ...CREDENTIALS, QUALYS_API_URL: url });

  it("scan vm --ip: a range that ends before it starts", async () => {
    const reportDir = path.join(dir, "vm-results");
    const result = await run(
      ["scan", "vm", "--ip", "10.250.0.1, 10.250.0.9-10.250.0.1", "--report-dir", reportDir],
      env(),
    );
    expectUsageError(result, "--ip", '"10.250.0.9-10.250.0.1" ends before it starts');
    expect(existsSync(reportDir)).toBe(false);
    expect(requests).toBe(0);
  });

  it("scan was --html-mode: a mode other than inline or strict", async () => {
    const reportDir = path.join(dir, "html-mode-results");
    const result = await run(
      ["scan", "was", "--webapp", "1", "--html-mode", "loose", "--report-dir", reportDir],
      env(),
    );
    expectUsageError(result, "--html-mode", '"loose" must be one of inline, strict');
    expect(existsSync(reportDir)).toBe(false);
    expect(requests).toBe(0);
  });

  it.each([
    ["99999999999999999999", 'QID "99999999999999999999" is out of range: QIDs are 1 to 999999999'],
    ["0", 'QID "0" is out of range'],
    ["6,1000000000", 'QID "1000000000" is out of range'],
  ])("kb show %s", async (qids, message) => {
    const result = await run(["kb", "show", qids], env());
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe("");
    expect(requests).toBe(0);
  });

  it("scan was --report-dir: an existing file is refused before the scan", async () => {
    const file = path.join(dir, "a-file");
    writeFileSync(file, "keep me\n");
    const result = await run(["scan", "was", "--webapp", "1", "--report-dir", file], env());
    expectUsageError(result, "--report-dir", "is a file, not a directory");
    const below = await run(["scan", "was", "--webapp", "1", "--report-dir", path.join(file, "sub")], env());
    expectUsageError(below, "--report-dir", "is a file");
    expect(readFileSync(file, "utf8")).toBe("keep me\n");
    expect(requests).toBe(0);
  });

  it("--ca-file must hold a PEM certificate", async () => {
    const notPem = path.join(dir, "ca.txt");
    writeFileSync(notPem, "this is not a certificate\n");
    const result = await run(["was", "webapps", "list", "--ca-file", notPem], env());
    expectUsageError(result, "--ca-file", "holds no PEM certificate");
    expect(requests).toBe(0);
  });

  it.each([
    [
      "socks5://127.0.0.1:1080",
      '--proxy: the scheme "socks5:" is not supported; expected http:// or https://',
    ],
    ["u:p@h:1", "--proxy: the scheme"],
  ])("--proxy %s is refused naming --proxy", async (proxy, message) => {
    const result = await run(["was", "webapps", "list", "--proxy", proxy], env());
    expectUsageError(result, "--proxy", message);
    expect(result.stderr).not.toContain("Invalid URL protocol");
    expect(requests).toBe(0);
  });

  it("sync refuses a bad --proxy before it creates the database", async () => {
    const db = path.join(dir, "never.db");
    const result = await run(["sync", "--db", `sqlite:${db}`, "--proxy", "socks5://127.0.0.1:1080"], env());
    expectUsageError(result, "--proxy", "is not supported");
    expect(existsSync(db)).toBe(false);
  });
});

describe("export opens existing databases only, and reports --out failures cleanly", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "qc-export-"));
  const db = path.join(dir, "qualys.db");
  beforeAll(async () => {
    const store = await openStore(`sqlite:${db}`);
    await store.migrate();
    await store.close();
  });

  it("a --db path that does not exist is refused and not created", async () => {
    const typo = path.join(dir, "typo.db");
    const result = await run(["export", "--db", `sqlite:${typo}`, "--object", "findings"]);
    expectUsageError(result, "--db", "no database there");
    expect(existsSync(typo)).toBe(false);
  });

  it("a --db file that is no database names --db", async () => {
    const text = path.join(dir, "notes.db");
    writeFileSync(text, `${"these are notes, not a database\n".repeat(20)}`);
    for (const command of [
      ["export", "--db", `sqlite:${text}`, "--object", "findings"],
      ["sync", "--db", `sqlite:${text}`, "--api-url", "http://127.0.0.1:9"],
    ]) {
      const result = await run(command, CREDENTIALS);
      expectUsageError(result, "--db", "cannot open as a SQLite database (file is not a database)");
    }
    expect(readFileSync(text, "utf8")).toContain("these are notes");
  });

  it("a SQLite database the store cannot migrate names --db", async () => {
    // Another application's database, with a table of the same name and other columns.
    const other = path.join(dir, "other.db");
    const sqlite = new BetterSqlite3(other);
    sqlite.exec("create table schema_migrations (foo text); insert into schema_migrations values ('x')");
    sqlite.close();
    const result = await run(["export", "--db", `sqlite:${other}`, "--object", "webapps"]);
    expectUsageError(result, `--db sqlite:${other}: database migration`, "failed");
  });

  it.each([
    [
      "in a folder that does not exist",
      (d: string) => path.join(d, "no-such-folder", "x.csv"),
      (d: string) => `the folder ${path.join(d, "no-such-folder")} does not exist`,
    ],
    ["that is a folder", (d: string) => d, () => "it is a directory; give a file name"],
  ])("--out %s: exit 3 naming --out and the path, no stack trace, no file", async (_what, target, why) => {
    const outDir = mkdtempSync(path.join(dir, "out-"));
    const out = target(outDir);
    const result = await run(["export", "--db", `sqlite:${db}`, "--object", "findings", "--out", out]);
    expectUsageError(result, `--out ${out}: cannot write the export (${why(outDir)})`, /export/);
    expect(result.stderr).not.toContain(".partial");
    expect(readdirSync(outDir)).toEqual([]);
  });

  it("--out writes the file under its name only when complete, with no temporary left", async () => {
    const outDir = mkdtempSync(path.join(dir, "ok-"));
    const out = path.join(outDir, "findings.csv");
    const result = await run([
      "export",
      "--db",
      `sqlite:${db}`,
      "--object",
      "findings",
      "--format",
      "csv",
      "--out",
      out,
    ]);
    expect(result.stderr).toContain(`exported 0 findings from sqlite:${db} to ${out}`);
    expect(result.code).toBe(0);
    expect(readdirSync(outDir)).toEqual(["findings.csv"]);
    // An existing file is replaced whole.
    writeFileSync(out, "old contents\n");
    expect((await run(["export", "--db", `sqlite:${db}`, "--object", "webapps", "--out", out])).code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe("");
    expect(readdirSync(outDir)).toEqual(["findings.csv"]);
  });
});

describe("scan was --webapp hints", () => {
  let sim: RunningSimulator;
  const dir = mkdtempSync(path.join(tmpdir(), "qc-hint-"));
  beforeAll(async () => {
    sim = await startSimulator({ webapps: 2, findingsPerWebapp: 1, hosts: 0, kbSize: 20 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("an unknown name points at a command that exists and lists the web apps", async () => {
    const env = { ...CREDENTIALS, QUALYS_API_URL: sim.url };
    const result = await run(
      ["scan", "was", "--webapp", "NTLM Test", "--report-dir", path.join(dir, "r")],
      env,
    );
    expect(result.code).toBe(3);
    const said = `${result.stdout}${result.stderr}`;
    expect(said).toContain('--webapp: no web app is named "NTLM Test"');
    const hint = /`qualys-connector ([^`]+)`/.exec(said)?.[1];
    expect(hint, said).toBeDefined();
    const listed = await run([...(hint ?? "").split(" "), "--format", "json"], env);
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    const truth = (await (await fetch(`${sim.url}/__sim/ground-truth/webapps`)).json()) as unknown[];
    expect((JSON.parse(listed.stdout) as unknown[]).length).toBe(truth.length);
  });
});
