import { QualysConfigError, QualysError } from "@qualys-connector/client";
import { Command, CommanderError } from "commander";
import { registerAirbyteCommand } from "./commands/airbyte.js";
import { registerDashboardCommand } from "./commands/dashboard.js";
import { registerDemoCommand } from "./commands/demo.js";
import { registerDoctorCommand } from "./commands/doctor.js";
import { registerEvaluateCommands } from "./commands/evaluate.js";
import { registerImportCommand } from "./commands/import.js";
import { registerInventoryCommands } from "./commands/inventory.js";
import { registerPipelineSnippetCommand } from "./commands/pipeline-snippet.js";
import { registerPullReportsCommand } from "./commands/pull-reports.js";
import { registerScanVmCommand } from "./commands/scan-vm.js";
import { registerScanWasCommand } from "./commands/scan-was.js";
import { registerSimCommand } from "./commands/sim.js";
import { registerSyncCommands } from "./commands/sync.js";
import { CommandExit, EXIT, EXIT_CODES_HELP, exitCodesHelp, UsageError } from "./exit-codes.js";
import { logErrorLine, safeLines } from "./log.js";
import { inFlags, messageInFlags } from "./option-flags.js";
import { VERSION } from "./version.js";

/** Build the `qualys-connector` program. */
export function createProgram(): Command {
  const program = new Command("qualys-connector")
    .description(
      "Qualys Connector: Qualys WAS and VM scan gates for CI, WAS data sync, and a Qualys API simulator.",
    )
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", `\n${EXIT_CODES_HELP}\n`);
  registerSimCommand(program);
  registerDemoCommand(program);
  registerDoctorCommand(program);
  const scan = program
    .command("scan")
    .description("Scan gates: launch a Qualys scan from CI and pass or fail the build");
  registerScanWasCommand(scan);
  registerScanVmCommand(scan);
  registerEvaluateCommands(program);
  registerSyncCommands(program);
  // Report commands succeed or fail too: the worst outcome of their files or reports (docs/import.md).
  const reports = [registerImportCommand(program), registerPullReportsCommand(program)];
  registerPipelineSnippetCommand(program);
  registerAirbyteCommand(program);
  registerDashboardCommand(program);
  // Inventory commands only read: they succeed or fail (0 or 3), and their help says so.
  const inventory = registerInventoryCommands(program);
  applyToAll(program, new Set([...inventory, ...reports]));
  return program;
}

/**
 * `--version` and exit codes on every command, and usage errors that exit 3. Commands in `okOrError` (and
 * their subcommands) can end only with 0 or 3, and their help lists only those.
 */
function applyToAll(command: Command, okOrError: ReadonlySet<Command>, inherited = false): void {
  const onlyOkOrError = inherited || okOrError.has(command);
  command.version(VERSION, "-V, --version", "print the version");
  command.exitOverride();
  // Commander's usage errors quote the arguments; each of their lines is masked and escaped like any log line.
  command.configureOutput({ outputError: (text, write) => write(safeLines(text)) });
  if (command.parent)
    command.addHelpText(
      "after",
      `\n${onlyOkOrError ? exitCodesHelp([EXIT.ok, EXIT.error]) : EXIT_CODES_HELP}\n`,
    );
  for (const sub of command.commands) applyToAll(sub, okOrError, onlyOkOrError);
}

/** Run the CLI; returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0.
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
      ) {
        return EXIT.ok;
      }
      return EXIT.error;
    }
    // Client errors are built redacted; logErrorLine masks every other message as the last line of defence.
    if (error instanceof CommandExit) {
      if (error.message) logErrorLine(error.message);
      return error.exitCode;
    }
    if (error instanceof QualysConfigError) {
      // The client names its options; the user typed flags.
      for (const problem of error.messages) logErrorLine(inFlags(problem), true);
      return EXIT.error;
    }
    if (error instanceof QualysError) {
      logErrorLine(error.message);
      return EXIT.error;
    }
    if (error instanceof UsageError) {
      logErrorLine(error.message, true);
      return EXIT.error;
    }
    logErrorLine(messageInFlags(error));
    return EXIT.error;
  }
}
