/**
 * The one way tests run `qualys-connector` in a child process: the bundle that test/global-setup.ts built for this
 * run, under the same Node.js, with a clean environment (PATH plus what the test passes, so no credential leaks in
 * from the test's own environment) and stdin closed after `stdin`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { inject } from "vitest";

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcessOptions {
  /** Added to PATH: the whole environment the child sees. */
  env?: Record<string, string> | undefined;
  cwd?: string | undefined;
  /** Written to the child's standard input, which is then closed. */
  stdin?: string | undefined;
  /** Leave standard input open (the test writes to `child.stdin` itself); `stdin` must be unset. */
  keepStdinOpen?: boolean | undefined;
  /** Called with all of stdout so far each time more arrives (to act at a moment of the run). */
  onStdout?: ((soFar: string, child: ChildProcess) => void) | undefined;
  /** Called with all of stderr so far each time more arrives. */
  onStderr?: ((soFar: string, child: ChildProcess) => void) | undefined;
}

/** The argv that runs the CLI: for tests that start it their own way. */
export function cliArgv(args: readonly string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: [inject("cliBundle"), ...args] };
}

/** Start the CLI; `done` resolves when it has exited and its output is read. */
export function startCliProcess(
  args: readonly string[],
  options: CliProcessOptions = {},
): { child: ChildProcess; done: Promise<CliRun> } {
  const argv = cliArgv(args);
  const child = spawn(argv.command, argv.args, {
    env: { PATH: process.env.PATH ?? "", ...options.env },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdio: ["pipe", "pipe", "pipe"],
  });
  const done = new Promise<CliRun>((resolve) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onStdout?.(stdout, child);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(stderr, child);
    });
    // A child that exits without reading its input must not fail the test with EPIPE.
    child.stdin?.on("error", () => undefined);
    if (!options.keepStdinOpen) child.stdin?.end(options.stdin ?? "");
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Run the CLI to its end. */
export function runCliProcess(args: readonly string[], options: CliProcessOptions = {}): Promise<CliRun> {
  return startCliProcess(args, options).done;
}
