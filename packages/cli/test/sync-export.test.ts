/**
 * `qualys-connector sync` and `export` as a user runs them: the CLI in a child process, the simulator on 127.0.0.1,
 * SQLite files in a temporary folder. Exit codes are the README's: 0 success, 3 usage, authentication or API errors.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, spawnCli as run } from "./spawn-cli.js";

const PASSWORD = "sim-password";
const WORLD = { port: 0, webapps: 4, findingsPerWebapp: 30, hosts: 0 };
const OBJECTS = ["webapps", "findings", "definitions"] as const;
// Spreadsheets run a cell starting with = + - @ as a formula; the simulator's hostile strings start with none of
// these, so two records get such values in the live world before the first sync.
const FORMULA_NAME = '=HYPERLINK("http://evil.example/?a,b","open")';
const FORMULA_PARAM = "@SUM(1+1)*cmd|' /C calc'!A0";

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** RFC 4180: quoted cells may hold commas, doubled quotes and line breaks; records end with CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '"' && text.charAt(i + 1) === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === "") quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text.charAt(i + 1) === "\n") {
      rows.push([...row, cell]);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** The final text table of `sync`, by stream: `{ STATUS: "succeeded", ADDED: "12", ... }`. */
function reportTable(stdout: string): Map<string, Record<string, string>> {
  const [header = "", , ...lines] = stdout.trimEnd().split("\n");
  const names = header.trim().split(/\s{2,}/);
  return new Map(
    lines.map((line) => {
      const cells = line.trim().split(/\s{2,}/);
      return [cells[0] ?? "", Object.fromEntries(names.map((name, i) => [name, cells[i] ?? ""]))];
    }),
  );
}

describe("qualys-connector sync and export against the simulator", () => {
  let sim: RunningSimulator;
  let dir: string;
  let db: string;
  let firstRun: CliResult;
  const env = () => ({ QUALYS_API_URL: sim.url, QUALYS_USERNAME: "sim_user", QUALYS_PASSWORD: PASSWORD });
  const get = async <T>(route: string) => (await (await fetch(`${sim.url}${route}`)).json()) as T;
  const truthFindings = () => get<{ uniqueId: string; qid: number }[]>("/__sim/ground-truth/findings");
  const truthWebApps = () => get<{ id: number; name: string }[]>("/__sim/ground-truth/webapps");
  // Definitions: one per QID the findings reference.
  const truthCounts = async () => {
    const findings = await truthFindings();
    const webapps = (await truthWebApps()).length;
    return { webapps, findings: findings.length, definitions: new Set(findings.map((f) => f.qid)).size };
  };
  const exported = async (object: string, ...args: string[]) => {
    const result = await run(["export", "--db", db, "--object", object, ...args]);
    expect(result.stderr).toContain("exported ");
    expect(result.code).toBe(0);
    return result.stdout;
  };
  const storedCounts = async () => {
    const lines = await Promise.all(OBJECTS.map(async (object) => jsonLines(await exported(object)).length));
    return { webapps: lines[0], findings: lines[1], definitions: lines[2] };
  };

  beforeAll(async () => {
    sim = await startSimulator(WORLD);
    const webApp = [...sim.control.world.webApps.values()].find((w) => w.scenario === null);
    // Information gathered and ignored findings carry no parameter on the wire.
    const finding = [...sim.control.world.findings.values()].find(
      (f) => f.type === "VULNERABILITY" && !f.isIgnored,
    );
    if (!webApp || !finding) throw new Error("the simulator world has no generated web app or vulnerability");
    webApp.name = FORMULA_NAME;
    finding.param = FORMULA_PARAM;
    dir = mkdtempSync(path.join(tmpdir(), "qc-sync-export-"));
    db = `sqlite:${path.join(dir, "qualys.db")}`;
    firstRun = await run(["sync", "--db", db], env());
  });
  afterAll(async () => {
    await sim.close();
  });

  it("a first sync exits 0 and its table adds exactly what the simulator holds", async () => {
    expect(firstRun.code).toBe(0);
    const table = reportTable(firstRun.stdout);
    const truth = await truthCounts();
    for (const stream of OBJECTS)
      expect(table.get(stream)).toMatchObject({ STATUS: "succeeded", ADDED: String(truth[stream]) });
    expect(`${firstRun.stdout}${firstRun.stderr}`).not.toContain(PASSWORD);
  });

  it("a second sync adds nothing and costs a few API calls", async () => {
    const before = sim.control.stats().total;
    const second = await run(["sync", "--db", db], env());
    expect(second.code).toBe(0);
    const table = reportTable(second.stdout);
    let calls = 0;
    for (const stream of OBJECTS) {
      expect(table.get(stream)).toMatchObject({ STATUS: "succeeded", ADDED: "0", UPDATED: "0" });
      calls += Number(table.get(stream)?.["API CALLS"]);
    }
    // docs/sync.md: "A run after no change costs 4 API calls".
    expect(calls).toBeLessThanOrEqual(4);
    expect(sim.control.stats().total - before).toBe(calls);
  });

  it("--log-format json writes only JSON lines on stderr, with an end event per stream", async () => {
    const result = await run(
      ["sync", "--db", `sqlite:${path.join(dir, "json.db")}`, "--log-format", "json"],
      env(),
    );
    expect(result.code).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain(PASSWORD);
    const report = JSON.parse(result.stdout) as { streams: { stream: string; status: string }[] };
    expect(report.streams.map((s) => [s.stream, s.status])).toEqual(OBJECTS.map((o) => [o, "succeeded"]));
    const lines = result.stderr.split("\n").filter((line) => line !== "");
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    const ends = lines
      .map((line) => JSON.parse(line) as { kind?: string; report?: { stream: string; added: number } })
      .filter((event) => event.kind === "stream-end");
    const truth = await truthCounts();
    expect(ends.map((e) => [e.report?.stream, e.report?.added])).toEqual(OBJECTS.map((o) => [o, truth[o]]));
  });

  describe("bad input against the synced database", () => {
    const badSyncInput: [string, string[]][] = [
      ["--page-size", ["--page-size", "0"]],
      ["--page-size", ["--page-size", "1001"]],
      ["--objects", ["--objects", "nonsense"]],
      ["--severity", ["--severity", "9"]],
      ["--status", ["--status", "BOGUS"]],
      ["--updated-since", ["--updated-since", "not-a-date"]],
      ["--db", ["--db", "mysql://x"]],
    ];
    const results = new Map<string[], CliResult>();
    let apiCalls = 0;

    beforeAll(async () => {
      const before = sim.control.stats().total;
      await Promise.all(
        badSyncInput.map(async ([, args]) =>
          results.set(args, await run(["sync", "--db", db, ...args], env())),
        ),
      );
      apiCalls = sim.control.stats().total - before;
    }, 60_000);

    it.each(badSyncInput)("sync rejects a bad %s (%j) with exit 3, naming it", (flag, args) => {
      const result = results.get(args);
      expect(result?.code).toBe(3);
      expect(result?.stderr).toMatch(new RegExp(`^error: ${flag}\\b`, "m"));
      expect(result?.stderr).toContain(args[1]);
    });

    it("rejects them before any API call, and the database loses none of its rows", async () => {
      expect(apiCalls).toBe(0);
      expect(await storedCounts()).toEqual(await truthCounts());
    });
  });

  it("a refused password exits 3, never echoes it, and keeps the stored rows", async () => {
    const wrong = "Wr0ng:pässwörd";
    const result = await run(["sync", "--db", db], { ...env(), QUALYS_PASSWORD: wrong });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("Qualys refused the credentials");
    const output = `${result.stdout}${result.stderr}`;
    for (const secret of [
      wrong,
      encodeURIComponent(wrong),
      Buffer.from(`sim_user:${wrong}`).toString("base64"),
    ])
      expect(output).not.toContain(secret);
    expect(await storedCounts()).toEqual(await truthCounts());
  });

  it("export --format jsonl: one record per line, each with its subscription, source and last sighting", async () => {
    const records = jsonLines(await exported("findings", "--format", "jsonl"));
    const truth = await truthFindings();
    expect(records.map((r) => r.uid).sort()).toEqual(truth.map((f) => f.uniqueId).sort());
    for (const record of records) {
      expect(record).toMatchObject({ subscriptionId: expect.any(Number), source: "api" });
      expect(Date.parse(String(record.lastSeenAt))).not.toBeNaN();
    }
    // JSON keeps values as they are: neutralizing formulas is for CSV only.
    const webApps = jsonLines(await exported("webapps"));
    expect(webApps.map((w) => w.name)).toContain(FORMULA_NAME);
  });

  it("export --format csv: a header and one RFC 4180 row per finding, formulas neutralized", async () => {
    const [header = [], ...rows] = parseCsv(await exported("findings", "--format", "csv"));
    expect(header).toEqual(
      expect.arrayContaining(["uid", "param", "subscriptionId", "source", "lastSeenAt"]),
    );
    for (const row of rows) expect(row).toHaveLength(header.length);
    // Evidence holds line breaks and quotes, so a naive split would not get here.
    expect(rows.some((row) => row.some((cell) => cell.includes("\n")))).toBe(true);
    const uid = header.indexOf("uid");
    expect(rows.map((row) => row[uid]).sort()).toEqual((await truthFindings()).map((f) => f.uniqueId).sort());
    expect(rows.map((row) => row[header.indexOf("param")])).toContain(`'${FORMULA_PARAM}`);
    const [webAppHeader = [], ...webAppRows] = parseCsv(await exported("webapps", "--format", "csv"));
    const names = webAppRows.map((row) => row[webAppHeader.indexOf("name")]);
    expect(names).toContain(`'${FORMULA_NAME}`);
    expect(names).not.toContain(FORMULA_NAME);
  });

  it("export --out writes the file instead of standard output", async () => {
    const file = path.join(dir, "findings.jsonl");
    const stdout = await exported("findings", "--out", file);
    expect(stdout).toBe("");
    expect(jsonLines(readFileSync(file, "utf8"))).toHaveLength((await truthFindings()).length);
  });

  it("export --since keeps rows last seen since the date: all of them for a past date, none for a future one", async () => {
    expect(jsonLines(await exported("findings", "--since", "2000-01-01"))).toHaveLength(
      (await truthFindings()).length,
    );
    expect(await exported("findings", "--since", "2999-01-01T00:00:00Z")).toBe("");
  });

  it("export --subscription keeps one subscription's rows; an unknown one is exit 3 naming those there are", async () => {
    // A second subscription (another user) synced into the same database.
    const second = await run(["sync", "--db", db, "--objects", "webapps"], {
      ...env(),
      QUALYS_USERNAME: "sim_was_only",
    });
    expect(second.code).toBe(0);
    const all = jsonLines(await exported("webapps"));
    const ids = [...new Set(all.map((r) => Number(r.subscriptionId)))].sort();
    expect(ids).toHaveLength(2);
    const webApps = (await truthWebApps()).length;
    for (const id of ids) {
      const rows = jsonLines(await exported("webapps", "--subscription", String(id)));
      expect(rows).toHaveLength(webApps);
      expect(rows.every((r) => r.subscriptionId === id)).toBe(true);
    }
    // The second subscription synced web apps only: its findings export is empty, the first's is whole.
    expect(jsonLines(await exported("findings", "--subscription", String(ids[0])))).toHaveLength(
      (await truthFindings()).length,
    );
    expect(await exported("findings", "--subscription", String(ids[1]))).toBe("");
    const unknown = await run(["export", "--db", db, "--object", "webapps", "--subscription", "99"]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/^error: --subscription: 99 is not in sqlite:/m);
    expect(unknown.stderr).toContain(`${ids[0]} (sim_user at ${sim.url})`);
    expect(unknown.stderr).toContain(`${ids[1]} (sim_was_only at ${sim.url})`);
    expect(unknown.stdout).toBe("");
  });

  it("--log-format json reports a failure as a JSON line too", async () => {
    const result = await run(["sync", "--db", db, "--log-format", "json"], {
      ...env(),
      QUALYS_PASSWORD: "not-the-password",
    });
    expect(result.code).toBe(3);
    const lines = jsonLines(result.stderr);
    expect(lines.at(-1)).toMatchObject({ kind: "error", message: expect.stringContaining("refused") });
    expect(result.stderr).not.toContain("not-the-password");
  });

  it.each([
    ["--object", ["--object", "nope"]],
    ["--format", ["--format", "xml"]],
    ["--since", ["--since", "garbage"]],
    ["--subscription", ["--subscription", "first"]],
  ])("export rejects a bad %s (%j) with exit 3, naming it", async (flag, args) => {
    const result = await run(["export", "--db", db, "--object", "findings", ...args]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`^error: ${flag}\\b`, "m"));
    expect(result.stderr).toContain(args[1]);
    expect(result.stdout).toBe("");
  });
});

describe("sync --full and export --include-vanished", () => {
  let sim: RunningSimulator;
  afterAll(async () => {
    await sim.close();
  });

  it("marks findings gone from Qualys vanished, and exports them only when asked", async () => {
    sim = await startSimulator(WORLD);
    const env = { QUALYS_API_URL: sim.url, QUALYS_USERNAME: "sim_user", QUALYS_PASSWORD: PASSWORD };
    const db = `sqlite:${path.join(mkdtempSync(path.join(tmpdir(), "qc-vanished-")), "qualys.db")}`;
    expect((await run(["sync", "--db", db, "--objects", "findings"], env)).code).toBe(0);
    const gone = [...sim.control.world.findings.values()].slice(0, 3);
    for (const finding of gone) sim.control.world.findings.delete(finding.id);
    const full = await run(["sync", "--db", db, "--objects", "findings", "--full"], env);
    expect(full.code).toBe(0);
    expect(reportTable(full.stdout).get("findings")).toMatchObject({
      MODE: "full",
      ADDED: "0",
      VANISHED: "3",
    });

    const uids = async (...args: string[]) => {
      const result = await run(["export", "--db", db, "--object", "findings", ...args]);
      expect(result.code).toBe(0);
      return jsonLines(result.stdout).map((r) => String(r.uid));
    };
    const present = [...sim.control.world.findings.values()].map((f) => f.uniqueId);
    const goneUids = gone.map((f) => f.uniqueId);
    expect((await uids()).sort()).toEqual([...present].sort());
    expect((await uids("--include-vanished")).sort()).toEqual([...present, ...goneUids].sort());
  });
});
