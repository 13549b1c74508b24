/**
 * Text that reaches a log: a terminal, or a CI job log that GitHub Actions and Azure DevOps also read for
 * workflow commands. Web app names, URLs, titles and API messages are chosen by whoever controls a scanned web app
 * or a server, so every log line goes through `logSafe`, and JSON printed to a log goes through `logSafeJson`.
 * Workflow commands themselves are only ever built by our own code (write-outputs.ts), with their values escaped.
 */

/**
 * Characters shown escaped instead of written: C0 and C1 controls and DEL (`\p{Cc}`: ESC sequences that clear the
 * screen or plant OSC 8 links, CR that overwrites a line, LF that starts one, BEL, NUL), the bidirectional marks,
 * embeddings, overrides and isolates that make text read differently from what it is ("Trojan Source",
 * CVE-2021-42574), and lone surrogates, which no UTF-8 log can hold. With the `u` flag a valid surrogate pair is
 * one code point, not `\p{Cs}`.
 */
const UNSAFE_CHARS = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]|\p{Cs}/gu;

/** The bidirectional controls alone (the same list as in `UNSAFE_CHARS`), for formats that allow other controls. */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

/**
 * Azure DevOps runs a logging command found anywhere in a line (`##vso[...]`), and both Azure DevOps and GitHub
 * Actions read `##[...]` (formatting commands such as `##[error]`). The first `#` is escaped, so the text stays
 * readable and neither runner finds the prefix.
 * https://learn.microsoft.com/azure/devops/pipelines/scripts/logging-commands
 */
const LOGGING_COMMAND = /#(?=#(?:vso)?\[)/gi;

/**
 * GitHub Actions runs a workflow command written as `::name ...::value` at the start of a line, after any
 * whitespace. https://docs.github.com/actions/reference/workflow-commands-for-github-actions
 */
const WORKFLOW_COMMAND_START = /^(\s*):(?=:)/u;

/** `\x1b` for a character up to U+00FF, `\u202e` above. */
function visible(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Control characters, bidirectional controls and lone surrogates in their visible escaped form (`\x1b`, `\x0a`,
 * `\u202e`); the characters in `keep` (for example line breaks a data format quotes itself) are left as they are.
 */
export function escapeControlChars(text: string, keep = ""): string {
  return text.replace(UNSAFE_CHARS, (char) => (keep.includes(char) ? char : visible(char)));
}

/** Only the bidirectional controls in their visible escaped form (`\u202e`), for report formats. */
export function escapeBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, visible);
}

/**
 * Makes any text safe to print as (part of) one log line: control, bidirectional and lone surrogate characters are
 * escaped (so the text cannot start a new line, move the cursor or reorder what is shown), `##vso[` and `##[`
 * become `\x23#vso[` and `\x23#[`, and a leading `::` becomes `\x3a:`, so no value forms a CI workflow command.
 */
export function logSafe(text: string): string {
  return escapeControlChars(text)
    .replace(LOGGING_COMMAND, "\\x23")
    .replace(WORKFLOW_COMMAND_START, "$1\\x3a");
}

/**
 * `logSafe` for each line of a message of several lines that our own code joined with LF (a list of problems).
 * Each line is escaped on its own, so none of them can form a workflow command.
 */
export function logSafeLines(text: string): string {
  return text.split("\n").map(logSafe).join("\n");
}

/**
 * JSON text (from `JSON.stringify`) made safe to print to a log without changing the data it holds: DEL, C1,
 * bidirectional controls, lone surrogates and the `#` that starts a logging command become `\uXXXX` escapes, which
 * every JSON parser reads back as the same characters. `JSON.stringify` escapes C0 controls and lone surrogates
 * inside strings, so a raw tab, LF or CR is indentation and stays; outside strings JSON text is plain ASCII, so
 * only string contents change.
 */
export function logSafeJson(json: string): string {
  const unicodeEscape = (char: string) =>
    "\t\n\r".includes(char) ? char : `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`;
  return json.replace(UNSAFE_CHARS, unicodeEscape).replace(LOGGING_COMMAND, unicodeEscape);
}
