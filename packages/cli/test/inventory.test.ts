import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvCell, render } from "../src/output.js";
import { spawnCli as run } from "./spawn-cli.js";

describe("output formats", () => {
  const rows = [
    { id: 1, name: '=HYPERLINK("http://evil")', note: "a\u001b[31mred\u0007" },
    { id: 2, name: "plain, with comma", note: 'say "hi"' },
  ];
  const columns = [
    { header: "ID", key: "id", value: (r: (typeof rows)[number]) => r.id },
    { header: "NAME", key: "name", value: (r: (typeof rows)[number]) => r.name },
    { header: "NOTE", key: "note", value: (r: (typeof rows)[number]) => r.note },
  ];

  it("tables escape terminal control sequences and fit the width", () => {
    const table = render(rows, columns, "table", 30);
    expect(table).not.toContain("\u001b");
    expect(table).toContain("\\x1b");
    for (const line of table.trimEnd().split("\n")) expect(line.length).toBeLessThanOrEqual(30);
  });

  it("CSV quotes per RFC 4180 and neutralizes formulas", () => {
    const csv = render(rows, columns, "csv");
    // Control characters are shown escaped, as in a table: CSV printed to a terminal runs no escape sequence.
    expect(csv.split("\r\n")[1]).toBe(`1,"'=HYPERLINK(""http://evil"")",a\\x1b[31mred\\x07`);
    expect(csv).toContain('"plain, with comma","say ""hi"""');
  });

  it("tables show control and bidirectional characters escaped and form no CI workflow command", () => {
    const hostile = [{ id: 7, name: "::warning::x\u202e\u0085", note: "a\n##vso[task.complete]\r" }];
    const table = render(hostile, columns as never, "table", 200);
    const name = "\\x3a:warning::x\\u202e\\x85";
    const note = "a\\x0a\\x23#vso[task.complete]\\x0d";
    expect(table).toBe(
      [
        `ID  ${"NAME".padEnd(name.length)}  NOTE`,
        `--  ${"-".repeat(name.length)}  ${"-".repeat(note.length)}`,
        `7   ${name}  ${note}`,
        "",
      ].join("\n"),
    );
  });

  it("export cells keep line breaks inside quotes and escape the other control and bidirectional characters", () => {
    expect(csvCell("line 1\r\nline 2\u001b[2J\u202e\u0000", true)).toBe(
      '"line 1\r\nline 2\\x1b[2J\\u202e\\x00"',
    );
    expect(csvCell("@SUM(A1)\u0085", true)).toBe("'@SUM(A1)\\x85");
    expect(csvCell("-12.5", true)).toBe("-12.5");
  });

  it("JSON keeps stable keys and raw values", () => {
    expect(JSON.parse(render(rows, columns, "json"))).toEqual(rows);
  });
});

describe("inventory commands against the simulator", () => {
  let sim: RunningSimulator;
  const env = () => ({
    QUALYS_API_URL: sim.url,
    QUALYS_USERNAME: "sim_user",
    QUALYS_PASSWORD: "sim-password",
  });
  beforeAll(async () => {
    sim = await startSimulator({ webapps: 30, findingsPerWebapp: 1, hosts: 1, kbSize: 200 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("was webapps list --format json equals the ground truth, even with 30% of calls failing", async () => {
    const truth = (await (await fetch(`${sim.url}/__sim/ground-truth/webapps`)).json()) as {
      id: number;
      name: string;
    }[];
    await fetch(`${sim.url}/__sim/faults`, {
      method: "POST",
      body: JSON.stringify({
        rate: 0.3,
        kinds: ["500", "502", "503", "reset", "truncate", "malformed", "html", "409"],
      }),
    });
    try {
      const result = await run(
        ["was", "webapps", "list", "--format", "json", "--page-size", "5", "--max-retries", "10"],
        env(),
      );
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const listed = JSON.parse(result.stdout) as { id: number; name: string }[];
      expect(listed.map((w) => [w.id, w.name])).toEqual(truth.map((w) => [w.id, w.name]));
    } finally {
      await fetch(`${sim.url}/__sim/faults`, { method: "POST", body: JSON.stringify({ rate: 0 }) });
    }
    const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as {
      byEndpoint: Record<string, Record<string, number>>;
    };
    const calls = stats.byEndpoint["POST /qps/rest/3.0/search/was/webapp"] ?? {};
    // Faults happened and were absorbed by retries.
    expect(Object.keys(calls).some((status) => status !== "200")).toBe(true);
  });

  it("lists VM scanners and EC2 connectors, and shows KB entries", async () => {
    const scanners = await run(["vm", "scanners", "list", "--format", "json"], env());
    expect((JSON.parse(scanners.stdout) as { name: string }[]).map((s) => s.name)).toContain("scanner-dc1");
    const connectors = await run(["vm", "ec2-connectors", "list", "--format", "csv"], env());
    expect(connectors.stdout.split("\r\n")[0]).toBe("ID,NAME,STATE,DISABLED");
    expect(connectors.stdout).toContain("scenario-ec2-disabled,DISABLED,true");
    const kb = await run(["kb", "show", "150004,6", "--format", "json"], env());
    expect((JSON.parse(kb.stdout) as { qid: number }[]).map((v) => v.qid)).toEqual([6, 150004]);
  });

  it("a hostile web app name is inert in every format: escaped in the table and CSV, exact in JSON", async () => {
    const truth = (await (await fetch(`${sim.url}/__sim/ground-truth/webapps`)).json()) as {
      id: number;
      name: string;
    }[];
    const id = truth.find((w) => w.name === "scenario-clean")?.id;
    // Terminal sequences in their C1 form (CSI U+009B, OSC U+009D, ST U+009C): XML cannot carry ESC or BEL.
    const name = `=cmd|' /C calc'!A0\u009b2J\u009d8;;https://evil.example/\u009cx\u009d8;;\u009c\u202egpj.exe\n::warning::pwned ##vso[task.complete]`;
    const renamed = await fetch(`${sim.url}/__sim/webapps/${id}`, {
      method: "POST",
      body: JSON.stringify({ name, url: "https://evil.example/\u202e" }),
    });
    expect(renamed.status).toBe(200);
    try {
      const shown =
        "=cmd|' /C calc'!A0\\x9b2J\\x9d8;;https://evil.example/\\x9cx\\x9d8;;\\x9c\\u202egpj.exe\\x0a::warning::pwned \\x23#vso[task.complete]";
      const args = ["was", "webapps", "list", "--name", "=cmd"];
      const table = await run([...args, "--format", "table"], env());
      expect(table.code, table.stderr).toBe(0);
      // The table fits 120 columns, so the long name is cut: what is shown is the start of the escaped name.
      const row = table.stdout.split("\n")[2] ?? "";
      const cell = row.slice(`${id}  `.length).split("…")[0] ?? "";
      expect(row.startsWith(`${id}  `)).toBe(true);
      expect(cell.length).toBeGreaterThan(40);
      expect(shown.startsWith(cell)).toBe(true);
      expect(row).toContain("https://evil.example/\\u202e");
      expect(table.stdout).not.toMatch(/(?!\n)\p{Cc}|\u202e|##vso\[|^\s*::/mu);

      const csv = await run([...args, "--format", "csv"], env());
      expect(csv.stdout.split("\r\n")[1]).toMatch(
        new RegExp(
          `^${id},'${shown.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")},https://evil\\.example/\\\\u202e,`,
        ),
      );
      expect(csv.stdout).not.toMatch(/(?![\r\n])\p{Cc}|\u202e|##vso\[/u);

      const json = await run([...args, "--format", "json"], env());
      expect(json.stdout).not.toMatch(/[\u007f-\u009f\u202e]|##vso\[/);
      expect((JSON.parse(json.stdout) as { name: string; url: string }[])[0]).toMatchObject({
        name,
        url: "https://evil.example/\u202e",
      });
    } finally {
      await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
    }
  });

  it("bad input exits 3 and names it", async () => {
    const badFormat = await run(["vm", "networks", "list", "--format", "xml"], env());
    expect(badFormat.code).toBe(3);
    expect(badFormat.stderr).toContain('--format: "xml" must be table, json or csv');
    const badQid = await run(["kb", "show", "12a"], env());
    expect(badQid.code).toBe(3);
    expect(badQid.stderr).toContain('QID "12a" is not a positive whole number');
  });
});
