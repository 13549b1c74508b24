/**
 * Log lines of the CLI: progress, warnings and errors on stderr, short results on stdout. Every one goes through
 * `logSafe`, since it may carry text from a scanned web app or a server (names, URLs, API messages).
 */
import { logSafe, logSafeLines } from "@qualys-connector/gate";

/** One line on stderr, escaped. */
export function logLine(text: string): void {
  process.stderr.write(`${logSafe(text)}\n`);
}

/** One line on stdout, escaped. */
export function printLine(text: string): void {
  process.stdout.write(`${logSafe(text)}\n`);
}

/**
 * The final `error: ...` line, escaped like any log line: a line break in the message is shown as `\x0a`, since
 * messages may quote a server or a web app. Only a list of problems in the user's own input (`problems`: usage
 * and configuration errors) keeps its line breaks, each line escaped on its own (`logSafeLines`).
 */
export function logErrorLine(message: string, problems = false): void {
  process.stderr.write(`error: ${problems ? logSafeLines(message) : logSafe(message)}\n`);
}
