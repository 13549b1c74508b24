/** Run the CLI from source in a child process, as a user would; shared by the CLI's command tests. */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/bin.ts");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Resolves with the exit code and output. The child sees only PATH and `env` (no credentials leak in from the
 * test's own environment) and `stdin` as its standard input (empty by default).
 */
export function spawnCli(
  args: readonly string[],
  env: Record<string, string> = {},
  stdin = "",
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", bin, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdin.end(stdin);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
