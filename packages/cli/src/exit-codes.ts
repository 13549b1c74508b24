/**
 * Exit codes of the whole CLI. Documented in the README and in `qualys-connector --help`.
 * Only the CLI maps outcomes and errors to these numbers.
 */
export const EXIT = {
  /** Success, or the gate passed (warnings allowed). */
  ok: 0,
  /** The gate's policy failed. */
  policyFailed: 1,
  /** The gate's scan did not complete (timeout, error, canceled, unclean results, no host alive). */
  scanIncomplete: 2,
  /** Tool error: usage, configuration, authentication, network, API, parse. */
  error: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const EXIT_CODE_LINES: Record<ExitCode, string> = {
  0: "0  success, or the gate passed (warnings allowed)",
  1: "1  the gate's policy failed",
  2: "2  the gate's scan did not complete (timeout, ERROR, CANCELED, unclean results status, no host alive)",
  3: "3  error: usage, configuration, authentication, network, API or parse",
};

/** The `Exit codes:` section of `--help`, for the codes a command can return (all of them by default). */
export function exitCodesHelp(codes: readonly ExitCode[] = [0, 1, 2, 3]): string {
  const gate = codes.includes(EXIT.policyFailed);
  return `Exit codes:\n${codes.map((code) => `  ${code === EXIT.ok && !gate ? "0  success" : EXIT_CODE_LINES[code]}`).join("\n")}`;
}

export const EXIT_CODES_HELP = exitCodesHelp();

/** An error the user can fix; its message names the input and what is wrong. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Ends a command with an exit code; the message, if any, is printed to stderr by the CLI. */
export class CommandExit extends Error {
  constructor(
    readonly exitCode: number,
    message = "",
  ) {
    super(message);
    this.name = "CommandExit";
  }
}
