/** The `qualys-connector` command, as a library: build the program or run it with arguments. */
export { CommandExit, EXIT, EXIT_CODES_HELP, type ExitCode, UsageError } from "./exit-codes.js";
export { createProgram, runCli } from "./program.js";
export { VERSION } from "./version.js";
