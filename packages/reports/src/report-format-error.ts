/**
 * A report file that cannot be read as what it claims to be: malformed or truncated XML or JSON, an unknown root,
 * a DOCTYPE with an internal subset or entity declarations, nesting deeper than any real report, a field that does
 * not parse, or a corrupt gzip or zip container. It names the file and where in the (decompressed) text the
 * problem was found, so the CLI can print it as it is and exit with its bad-input code.
 */
export class ReportFormatError extends Error {
  override readonly name = "ReportFormatError";
  /** The file as the caller named it (`-` for standard input). */
  readonly file: string;
  /** 1-based line of the decompressed text where the problem was found. */
  readonly line: number;
  /** 1-based column (characters) on that line. */
  readonly column: number;
  /** What is wrong, without the position. */
  readonly reason: string;

  constructor(file: string, line: number, column: number, reason: string) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}
