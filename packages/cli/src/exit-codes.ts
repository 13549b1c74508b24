import { EXIT_CODES, type ExitCode } from "@qualys-connector/gate";

/**
 * Exit codes of the whole CLI, by the CLI's names for them. Documented in the README and in
 * `qualys-connector --help`. The numbers are the gate's `EXIT_CODES` (a gate result carries its code); only the CLI
 * maps other outcomes and errors to them.
 */
export const EXIT = {
  /** Success, or the gate passed (warnings allowed). */
  ok: EXIT_CODES.passed,
  /** The gate's policy failed. */
  policyFailed: EXIT_CODES.failed,
  /** The gate's scan did not complete (timeout, error, canceled, unclean results, no host alive). */
  scanIncomplete: EXIT_CODES.incomplete,
  /** Tool error: usage, configuration, authentication, network, API, parse. */
  error: EXIT_CODES.error,
} as const;

export type { ExitCode };

const EXIT_CODE_MEANINGS: Record<ExitCode, string> = {
  [EXIT.ok]: "success, or the gate passed (warnings allowed)",
  [EXIT.policyFailed]: "the gate's policy failed",
  [EXIT.scanIncomplete]:
    "the gate's scan did not complete (timeout, ERROR, CANCELED, unclean results status, no host alive)",
  [EXIT.error]: "error: usage, configuration, authentication, network, API or parse",
};

/** The `Exit codes:` section of `--help`, for the codes a command can return (all of them by default). */
export function exitCodesHelp(codes: readonly ExitCode[] = Object.values(EXIT)): string {
  const gate = codes.includes(EXIT.policyFailed);
  return `Exit codes:\n${codes.map((code) => `  ${code}  ${code === EXIT.ok && !gate ? "success" : EXIT_CODE_MEANINGS[code]}`).join("\n")}`;
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
