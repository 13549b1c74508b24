import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCliProcess } from "../../../test/cli-process.js";
import { simOptionsFromFlags } from "../src/commands/sim.js";
import { createProgram, EXIT, UsageError, VERSION } from "../src/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));

const defaults = {
  host: "127.0.0.1",
  port: "0",
  seed: "1",
  webapps: "20",
  findingsPerWebapp: "25",
  hosts: "10",
  kbSize: "2000",
  username: "sim_user",
  password: "sim-password",
  scanDuration: "6s",
  latency: "0ms",
  rateLimit: "300/3600",
  concurrencyLimit: "2",
  limitsOnWas: false,
  faultRate: "0",
  faults: "500,reset",
  cleanResultsStatus: "finished",
};

/** Run the CLI in a child process; with `untilLine`, SIGTERM it once stdout matches and time that moment. */
async function runCli(args: string[], { untilLine }: { untilLine?: RegExp } = {}) {
  const started = Date.now();
  let elapsedMs = 0;
  const run = await runCliProcess(args, {
    onStdout: (stdout, child) => {
      if (untilLine && elapsedMs === 0 && untilLine.test(stdout)) {
        elapsedMs = Date.now() - started;
        child.kill("SIGTERM");
      }
    },
  });
  return { ...run, elapsedMs: elapsedMs || Date.now() - started };
}

describe("sim flags", () => {
  it("parses durations, limits, fault kinds and the clean results status", () => {
    const options = simOptionsFromFlags({
      ...defaults,
      scanDuration: "2m",
      latency: "200ms",
      rateLimit: "10/60",
    });
    expect(options).toMatchObject({
      scanDurationMs: 120_000,
      latencyMs: 200,
      rateLimit: { calls: 10, windowSec: 60 },
      faults: ["500", "reset"],
      cleanResultsStatus: "FINISHED",
    });
  });

  it.each([
    [{ rateLimit: "ten" }, '--rate-limit: "ten" is not CALLS/SECONDS'],
    [{ port: "70000" }, "--port: 70000 is out of range"],
    [{ faults: "500,boom" }, '--faults: unknown fault kind "boom"'],
    [{ faultRate: "1.5" }, "--fault-rate: 1.5 is out of range"],
    [{ scanDuration: "soon" }, '--scan-duration: "soon" is not a duration'],
    [{ cleanResultsStatus: "DONE" }, "--clean-results-status"],
    [{ username: "a:b" }, "--username: must not contain ':'"],
  ])("rejects %o naming the flag", (override, message) => {
    expect(() => simOptionsFromFlags({ ...defaults, ...override })).toThrow(UsageError);
    expect(() => simOptionsFromFlags({ ...defaults, ...override })).toThrow(message);
  });
});

describe("the qualys-connector program", () => {
  it("has --version and --help on every command, and the version matches package.json", () => {
    const pkg = JSON.parse(readFileSync(path.resolve(here, "../package.json"), "utf8")) as {
      version: string;
    };
    expect(VERSION).toBe(pkg.version);
    const program = createProgram();
    const commands = [program, ...program.commands];
    for (const command of commands) {
      expect(command.version(), command.name()).toBe(VERSION);
      expect(command.helpInformation(), command.name()).toContain("--help");
    }
    expect(program.helpInformation()).toBeDefined();
  });

  it("exits 3 on a usage error and names the flag", async () => {
    const result = await runCli(["sim", "--port", "abc"]);
    expect(result.code).toBe(EXIT.error);
    expect(result.stderr).toContain('--port: "abc" is not a whole number');
  });

  it("exits 3 on an unknown command or option", async () => {
    expect((await runCli(["frobnicate"])).code).toBe(EXIT.error);
    const unknown = await runCli(["sim", "--nope"]);
    expect(unknown.code).toBe(EXIT.error);
    expect(unknown.stderr).toContain("--nope");
  });

  it("sim prints the exact listening line first, credentials next, within 10 seconds", async () => {
    const result = await runCli(["sim", "--port", "0", "--webapps", "2", "--findings-per-webapp", "2"], {
      untilLine: /Default credentials.*\n/,
    });
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^Qualys API simulator listening on http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[1]).toBe("Default credentials: username sim_user, password sim-password");
    expect(result.elapsedMs).toBeLessThan(10_000);
    // SIGTERM stops it cleanly.
    expect(result.code).toBe(0);
  });
});
