/** Run the CLI in a child process, as a user would; shared by the CLI's command tests. */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, "../src/bin.ts");
/** The bundle `npm run build` makes: starts in a fraction of tsx's time, for tests that time the process. */
const dist = path.resolve(here, "../dist/cli.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  /** Run the built bundle (packages/cli/dist/cli.js) instead of the sources through tsx. */
  dist?: boolean;
  /** Sees stderr as it arrives, with the child (to send a signal at the right moment). */
  onStderr?: (soFar: string, child: ChildProcess) => void;
  /** Sees the child as soon as it is started. */
  onSpawn?: (child: ChildProcess) => void;
}

/**
 * Resolves with the exit code and output. The child sees only PATH and `env` (no credentials leak in from the
 * test's own environment) and `stdin` as its standard input (empty by default).
 */
export function spawnCli(
  args: readonly string[],
  env: Record<string, string> = {},
  stdin = "",
  options: SpawnOptions = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      options.dist ? [dist, ...args] : ["--import", "tsx", bin, ...args],
      {
        env: { PATH: process.env.PATH ?? "", ...env },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    options.onSpawn?.(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      options.onStderr?.(stderr, child);
    });
    child.stdin.end(stdin);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
