/** The CLI's command tests run it in a child process as a user would, through the one shared test helper. */
import { type CliRun, runCliProcess } from "../../../test/cli-process.js";

export type CliResult = CliRun;

/**
 * Resolves with the exit code and output. The child sees only PATH and `env` (no credentials leak in from the
 * test's own environment) and `stdin` as its standard input (empty by default).
 */
export function spawnCli(
  args: readonly string[],
  env: Record<string, string> = {},
  stdin = "",
): Promise<CliResult> {
  return runCliProcess(args, { env, stdin });
}
