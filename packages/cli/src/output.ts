/**
 * Tabular output for inventory commands: `table` fits the terminal, `json` is stable for scripts, `csv` is RFC 4180.
 * Values come from Qualys and may carry hostile text. Table cells are log-safe (`logSafe`: control and bidirectional
 * characters shown escaped, no CI workflow command); JSON escapes them as JSON (`logSafeJson`); CSV cells show
 * them escaped too, and cells that a spreadsheet would run as a formula are neutralized.
 */
import { escapeControlChars, logSafe, logSafeJson } from "@qualys-connector/gate";
import { UsageError } from "./exit-codes.js";

export type OutputFormat = "table" | "json" | "csv";

export interface Column<T> {
  header: string;
  /** JSON key. */
  key: string;
  value: (row: T) => string | number | boolean | null | undefined;
}

export function parseFormat(value: string): OutputFormat {
  if (value === "table" || value === "json" || value === "csv") return value;
  throw new UsageError(`--format: "${value}" must be table, json or csv`);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  return logSafe(String(value));
}

/**
 * One RFC 4180 cell. Control and bidirectional characters are shown escaped (`\x1b`, `\u202e`) and no CI workflow
 * command survives, as in a log line (`logSafe`), so CSV printed to a terminal or CI log is as safe as a table.
 * With `keepLineBreaks` (the `export` command's data files) CR and LF stay, inside a quoted cell, and only the
 * other control and bidirectional characters are escaped.
 */
export function csvCell(value: unknown, keepLineBreaks = false): string {
  if (value === null || value === undefined) return "";
  let text = keepLineBreaks ? escapeControlChars(String(value), "\r\n") : logSafe(String(value));
  // A leading = + - @ (or tab/CR) makes spreadsheets evaluate the cell (CSV injection); numbers stay as they are.
  if (/^[=+\-@\t\r]/.test(text) && Number.isNaN(Number(text))) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function render<T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  format: OutputFormat,
  width = 120,
): string {
  if (format === "json") {
    return `${logSafeJson(
      JSON.stringify(
        rows.map((row) => Object.fromEntries(columns.map((c) => [c.key, c.value(row) ?? null]))),
        null,
        2,
      ),
    )}\n`;
  }
  if (format === "csv") {
    const lines = [
      columns.map((c) => csvCell(c.header)).join(","),
      ...rows.map((row) => columns.map((c) => csvCell(c.value(row))).join(",")),
    ];
    return `${lines.join("\r\n")}\r\n`;
  }
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? "").length)));
  // Shrink the widest column until the table fits the terminal (two spaces between columns).
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  while (total() > width) {
    const widest = widths.indexOf(Math.max(...widths));
    if ((widths[widest] ?? 0) <= 8) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  const fit = (text: string, w: number) =>
    text.length > w ? `${text.slice(0, Math.max(0, w - 1))}…` : text.padEnd(w);
  const line = (values: string[]) =>
    values
      .map((v, i) => fit(v, widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return `${[line(columns.map((c) => c.header)), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n")}\n`;
}
