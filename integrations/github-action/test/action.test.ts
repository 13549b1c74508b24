/**
 * The committed bundle (dist/index.js) run as GitHub runs a JavaScript action, against the simulator on
 * 127.0.0.1: the verdicts and how each ends the step, the step outputs, the job summary, bad inputs, and that
 * neither the password nor a scanned web app's data can reach the log as anything but inert text.
 */

import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActionRun, runAction, temporaryDir } from "./action-process.js";

const PASSWORD = "Gha:s3cret%2C,pw-7731";
let sim: RunningSimulator;
const temp = temporaryDir();

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    scanDurationMs: 300,
    webapps: 1,
    findingsPerWebapp: 3,
    hosts: 1,
    kbSize: 300,
    password: PASSWORD,
  });
});
afterAll(async () => {
  await sim?.close();
  temp.remove();
});

const connection = () => ({ "api-url": sim.url, username: "sim_user", password: PASSWORD });
const FAST = { "poll-interval": "1s", timeout: "2m" };

function was(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<ActionRun> {
  return runAction(temp.dir, { gate: "was", ...connection(), ...FAST, ...inputs }, env);
}

/** Workflow commands the action writes itself; each at the start of its line. */
const OWN_COMMANDS = new Set(["add-mask", "error", "warning"]);

/** Lines the runner would read as workflow commands, by command name. */
function commands(run: ActionRun): { name: string; line: string }[] {
  return `${run.stdout}\n${run.stderr}`
    .split("\n")
    .filter((line) => /^\s*::/.test(line))
    .map((line) => ({ name: /^\s*::([\w-]+)/.exec(line)?.[1] ?? line, line }));
}

function expectOnlyOwnCommands(run: ActionRun): void {
  for (const { name, line } of commands(run)) expect(OWN_COMMANDS.has(name), line).toBe(true);
  expect(`${run.stdout}${run.stderr}`).not.toMatch(/##(vso)?\[/);
}

/** The outputs every run with a verdict sets, and the files they name. */
function expectVerdictOutputs(run: ActionRun, verdict: string, exitCode: string): void {
  expect(run.outputs.verdict).toBe(verdict);
  expect(run.outputs["exit-code"]).toBe(exitCode);
  const counts = JSON.parse(run.outputs.counts ?? "") as Record<string, number>;
  expect(Object.keys(counts)).toEqual(["1", "2", "3", "4", "5"]);
  for (const n of Object.values(counts)) expect(Number.isInteger(n)).toBe(true);
  for (const [output, file] of [
    ["result-path", "result.json"],
    ["sarif-path", "results.sarif"],
    ["report-path", "report.html"],
  ] as const) {
    const value = run.outputs[output] ?? "";
    expect(path.basename(value)).toBe(file);
    expect(path.dirname(value)).toBe(run.outputs["report-dir"]);
    expect(existsSync(value), value).toBe(true);
  }
  const result = JSON.parse(readFileSync(run.outputs["result-path"] ?? "", "utf8")) as { verdict: string };
  expect(result.verdict).toBe(verdict);
  expect(run.summary).toMatch(/Qualys WAS gate/);
  expect(run.summary).toContain("_Full report: report.html and result.json");
}

describe("the GitHub Action bundle against the simulator", () => {
  it("passes: exit 0, no error annotation, every output and the job summary", async () => {
    const run = await was({ webapp: "scenario-vulnerable" });
    expect(run.code, run.stdout).toBe(0);
    expectVerdictOutputs(run, "passed", "0");
    expect(run.outputs["scan-id"]).toMatch(/^\d+$/);
    // The default report folder is this step's folder under RUNNER_TEMP.
    expect(run.outputs["report-dir"]).toMatch(/runner-temp\/qualys-results\/qualys$/);
    expect(commands(run).filter((c) => c.name === "error")).toEqual([]);
    expectOnlyOwnCommands(run);
  });

  it("fails by a criterion: exit 1 with one ::error:: annotation that gives the reason", async () => {
    const run = await was({ webapp: "scenario-vulnerable", "min-severity": "1" });
    expect(run.code, run.stdout).toBe(1);
    expectVerdictOutputs(run, "failed", "1");
    const errors = commands(run).filter((c) => c.name === "error");
    expect(errors).toHaveLength(1);
    // The title is a property, so its colon is escaped; the message after `::` keeps its own.
    expect(errors[0]?.line).toMatch(
      /^::error title=Qualys WAS scan gate%3A failed::failed: Any vulnerability/,
    );
    const counts = JSON.parse(run.outputs.counts ?? "{}") as Record<string, number>;
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expectOnlyOwnCommands(run);
  });

  it("an incomplete scan fails the step by default, and only warns with incomplete-as: warning", async () => {
    const failed = await was({ webapp: "scenario-error" });
    expect(failed.code, failed.stdout).toBe(1);
    expectVerdictOutputs(failed, "incomplete", "2");
    expect(commands(failed).filter((c) => c.name === "error")).toHaveLength(1);

    const warned = await was({ webapp: "scenario-error", "incomplete-as": "warning" });
    expect(warned.code, warned.stdout).toBe(0);
    expectVerdictOutputs(warned, "incomplete", "2");
    expect(commands(warned).filter((c) => c.name === "error")).toEqual([]);
    expect(commands(warned).some((c) => c.name === "warning" && c.line.includes("incomplete-as"))).toBe(true);
  });

  it("a bad input: exit 1, an ::error:: naming the input, verdict error, nothing asked of Qualys", async () => {
    const before = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { total: number };
    for (const [inputs, message] of [
      [
        { webapp: "shop", "cancel-after-hours": "25" },
        "cancel-after-hours: 25 is out of range; expected 1 to 24",
      ],
      [{ webapp: "shop", "incomplete-as": "ignore" }, 'incomplete-as: "ignore" must be one of fail, warning'],
      [{ webapp: "shop", "min-severity": "9" }, "min-severity"],
      [{}, "webapp is required"],
      [{ gate: "dast", webapp: "shop" }, 'gate: "dast" must be one of was, vm'],
    ] as const) {
      const run = await was(inputs);
      expect(run.code, run.stdout).toBe(1);
      expect(run.outputs).toEqual({ verdict: "error", "exit-code": "3" });
      const errors = commands(run).filter((c) => c.name === "error");
      expect(errors).toHaveLength(1);
      expect(errors[0]?.line).toContain(message);
      expect(run.summary).toBe("");
    }
    // A report folder that cannot be made (a file is in the way) is refused before any scan.
    const blocked = await was({ webapp: "scenario-clean", "report-dir": "/dev/null/out" });
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toContain("::report-dir: cannot create /dev/null/out (");
    const missing = await runAction(temp.dir, { gate: "was", webapp: "shop" });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain("::api-url: required (or platform), but both are empty");
    const after = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { total: number };
    expect(after.total).toBe(before.total);
  });

  it("the VM gate: hosts from a list input (lines and commas), a session login and logout", async () => {
    const sessionCalls = async () => {
      const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as {
        byEndpoint: Record<string, Record<string, number>>;
      };
      return Object.values(stats.byEndpoint["POST /api/2.0/fo/session"] ?? {}).reduce((a, b) => a + b, 0);
    };
    const sessionsBefore = await sessionCalls();
    const run = await runAction(temp.dir, {
      gate: "vm",
      ...connection(),
      ...FAST,
      ip: "10.250.0.2\n10.250.0.2, 10.250.0.1",
      "fail-on-cvss": "0.1",
    });
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.verdict).toBe("failed");
    expect(run.outputs["scan-id"]).toMatch(/^scan\/\d+\.\d+$/);
    expect(run.summary).toMatch(/Qualys VM gate/);
    // VM API v2 calls use a session by default (docs/qualys-api.md 4.1): one login, one logout.
    expect((await sessionCalls()) - sessionsBefore).toBe(2);
    expectOnlyOwnCommands(run);
    const bad = await runAction(temp.dir, { gate: "vm", ...connection(), ip: "10.0.0.9-10.0.0.1" });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('::ip: "10.0.0.9-10.0.0.1" ends before it starts');
  });

  it("a cancelled run (SIGINT from the runner) cancels the scan it launched and still writes every output", async () => {
    let signalled = false;
    const run = await runAction(
      temp.dir,
      { gate: "was", ...connection(), ...FAST, webapp: "scenario-slow" },
      {},
      (stdout, child) => {
        if (!signalled && /^launched scan \d+/m.test(stdout)) {
          signalled = true;
          child.kill("SIGINT");
        }
      },
    );
    expect(signalled).toBe(true);
    expect(run.code, run.stdout).toBe(1);
    expect(run.stdout).toMatch(/^SIGINT received: cancelling the scan and writing the outputs$/m);
    expect(run.outputs.verdict).toBe("incomplete");
    expect(run.outputs["exit-code"]).toBe("2");
    expect(existsSync(run.outputs["report-path"] ?? "")).toBe(true);
    const result = JSON.parse(readFileSync(run.outputs["result-path"] ?? "", "utf8")) as {
      apiCalls: Record<string, number>;
    };
    expect(result.apiCalls.cancel).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/^cancelling scan \d+/m);
  });

  it("the password is masked first and appears nowhere else: log, outputs, summary, report files", async () => {
    const base64 = Buffer.from(`sim_user:${PASSWORD}`).toString("base64");
    const passed = await was({ webapp: "scenario-clean" });
    expect(passed.code, passed.stdout).toBe(0);
    // Wrong credentials: the error path, whose message comes from the API's answer.
    const wrongPassword = `${PASSWORD}-wrong`;
    const refused = await was({ webapp: "scenario-clean", password: wrongPassword });
    expect(refused.code).toBe(1);
    expect(refused.outputs.verdict).toBe("error");
    for (const [run, secret] of [
      [passed, PASSWORD],
      [refused, wrongPassword],
    ] as const) {
      const lines = run.stdout.split("\n");
      // The first line asks the runner to mask it (the runner removes that line from the log).
      expect(lines[0]).toBe(`::add-mask::${secret.replaceAll("%", "%25")}`);
      const rest = [...lines.slice(1), run.stderr, run.outputFile, run.summary].join("\n");
      expect(rest).not.toContain(secret);
      expect(rest.replace(/^::add-mask::.*$/gm, "")).not.toContain(base64);
    }
    // A secret pasted with its file's line break still logs in, and is masked without it too.
    const pasted = await was({ webapp: "scenario-clean", password: `${PASSWORD}\n` });
    expect(pasted.code, pasted.stdout).toBe(0);
    expect(pasted.stdout.split("\n").slice(0, 3)).toEqual([
      `::add-mask::${PASSWORD.replaceAll("%", "%25")}%0A`,
      `::add-mask::${PASSWORD.replaceAll("%", "%25")}`,
      `::add-mask::${base64}`,
    ]);
    const dir = passed.outputs["report-dir"] ?? "";
    for (const file of readdirSync(dir)) {
      const text = readFileSync(path.join(dir, file), "utf8");
      expect(text, file).not.toContain(PASSWORD);
      expect(text, file).not.toContain(base64);
    }
  });

  it("hostile web app data never forms a workflow command or an output", async () => {
    // Terminal sequences in their C1 form (XML cannot carry ESC), then lines a runner would read as commands.
    const hostile =
      "shop\u009b2J\r\n::warning file=x::pwned\n::set-output name=verdict::passed\n%0A::error::x\u202egpj.exe";
    const truth = (await (await fetch(`${sim.url}/__sim/ground-truth/webapps`)).json()) as {
      id: number;
      name: string;
    }[];
    const id = truth.find((w) => w.name === "scenario-vulnerable")?.id;
    expect(id).toBeDefined();
    const renamed = await fetch(`${sim.url}/__sim/webapps/${id}`, {
      method: "POST",
      body: JSON.stringify({ name: hostile, url: "https://evil.example/\n::error::url" }),
    });
    expect(renamed.status).toBe(200);
    try {
      // A report folder whose name holds a line break and an output line tests the GITHUB_OUTPUT delimiter form.
      const run = await was({
        webapp: String(id),
        "min-severity": "1",
        "report-dir": "out\nverdict=passed\nexit-code=0",
      });
      expect(run.code, run.stdout).toBe(1);
      expectOnlyOwnCommands(run);
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/[\u0080-\u009f\u202a-\u202e\r]/u);
      // The web app line is there, escaped onto one line.
      expect(run.stdout).toContain("shop\\x9b2J\\x0d\\x0a::warning file=x::pwned\\x0a");
      // Exactly the action's outputs, with the real verdict; the folder name is one multi-line value.
      expect(Object.keys(run.outputs).sort()).toEqual(
        [
          "counts",
          "exit-code",
          "report-dir",
          "report-path",
          "result-path",
          "sarif-path",
          "scan-id",
          "verdict",
        ].sort(),
      );
      expect(run.outputs.verdict).toBe("failed");
      expect(run.outputs["exit-code"]).toBe("1");
      expect(run.outputs["report-dir"]).toMatch(/\/out\nverdict=passed\nexit-code=0$/);
    } finally {
      await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
    }
  });
});

describe("the job summary of a scan with thousands of findings", () => {
  let big: RunningSimulator;
  beforeAll(async () => {
    big = await startSimulator({
      port: 0,
      scanDurationMs: 300,
      webapps: 1,
      findingsPerWebapp: 4000,
      hosts: 0,
      kbSize: 300,
      password: PASSWORD,
    });
  });
  afterAll(async () => {
    await big?.close();
  });

  it("stays under GitHub's 1 MiB, says where the full report is, and the files hold every finding", async () => {
    const truth = (await (await fetch(`${big.url}/__sim/ground-truth/webapps`)).json()) as {
      id: number;
      name: string;
    }[];
    const app = truth.find((w) => !w.name.startsWith("scenario-"));
    expect(app).toBeDefined();
    const run = await runAction(temp.dir, {
      gate: "was",
      "api-url": big.url,
      username: "sim_user",
      password: PASSWORD,
      ...FAST,
      webapp: String(app?.id),
    });
    expect(run.code, run.stdout).toBe(0);
    const findings = (
      JSON.parse(readFileSync(run.outputs["result-path"] ?? "", "utf8")) as { findings: unknown[] }
    ).findings;
    expect(findings.length).toBeGreaterThan(1000);
    expect(Buffer.byteLength(run.summary, "utf8")).toBeLessThanOrEqual(1024 * 1024);
    // The step's summary is the gate's summary.md (whose table lists the first findings and says how many more
    // are in result.json), then the pointer to the full report; nothing else, nothing twice.
    const markdown = readFileSync(path.join(run.outputs["report-dir"] ?? "", "summary.md"), "utf8");
    expect(markdown).toMatch(/…and \d+ more findings are in result\.json\./);
    expect(run.summary.startsWith(markdown.trimEnd())).toBe(true);
    expect(run.summary.slice(markdown.trimEnd().length)).toMatch(
      /^\n\n_Full report: report\.html and result\.json in the `report-dir` output \(.+\); upload them with actions\/upload-artifact\._\n$/,
    );
  });
});
