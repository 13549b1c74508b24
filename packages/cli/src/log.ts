/**
 * Log lines of the CLI: progress, warnings and errors on stderr, short results on stdout. Every one is masked
 * (`redactOutput`: a server may echo a credential back) and then goes through `logSafe`, since it may carry text
 * from a scanned web app or a server (names, URLs, API messages).
 */
import { logSafe, logSafeJson, logSafeLines } from "@qualys-connector/gate";
import { redactOutput } from "./settings.js";

/** A log line as it may leave the process: secrets masked, control characters escaped. */
function safeLine(text: string): string {
  return logSafe(redactOutput(text));
}

/** A multi-line text as it may leave the process, each line masked and escaped on its own. */
export function safeLines(text: string): string {
  return logSafeLines(redactOutput(text));
}

/** One line on stderr, masked and escaped. */
export function logLine(text: string): void {
  process.stderr.write(`${safeLine(text)}\n`);
}

/**
 * One JSON log line on stderr (`--log-format json`, `--json`): the time, then the fields; masked, and escaped as
 * JSON (`logSafeJson`: control characters as `\u` escapes, no CI workflow command).
 */
export function logJsonLine(fields: Record<string, unknown>): void {
  process.stderr.write(
    `${logSafeJson(redactOutput(JSON.stringify({ time: new Date().toISOString(), ...fields })))}\n`,
  );
}

/** One line on stdout, masked and escaped. */
export function printLine(text: string): void {
  process.stdout.write(`${safeLine(text)}\n`);
}

/**
 * The final `error: ...` line, escaped like any log line: a line break in the message is shown as `\x0a`, since
 * messages may quote a server or a web app. Only a list of problems in the user's own input (`problems`: usage
 * and configuration errors) keeps its line breaks, each line escaped on its own (`logSafeLines`).
 */
export function logErrorLine(message: string, problems = false): void {
  process.stderr.write(`error: ${problems ? safeLines(message) : safeLine(message)}\n`);
}
