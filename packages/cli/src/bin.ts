import { logErrorLine } from "./log.js";
import { runCli } from "./program.js";

// A closed pipe (`qualys-connector ... | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    logErrorLine((error as Error).message);
    process.exitCode = 3;
  },
);
