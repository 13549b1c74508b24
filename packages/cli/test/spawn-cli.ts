/**
 * The CLI's command tests run it in a child process as a user would, through the one shared test helper: the
 * bundle built for the test run (test/global-setup.ts), which starts in a fraction of a TypeScript loader's time.
 */
import type { ChildProcess } from "node:child_process";
import { type CliRun, startCliProcess } from "../../../test/cli-process.js";

export type CliResult = CliRun;

export interface SpawnOptions {
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
  const { child, done } = startCliProcess(args, { env, stdin, onStderr: options.onStderr });
  options.onSpawn?.(child);
  return done;
}
