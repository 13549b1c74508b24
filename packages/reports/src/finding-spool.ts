/**
 * A temporary file of findings read before the parts of the report that complete them (the glossary's titles and
 * severities, the appendix's web apps), one JSON line each, replayed once the document has ended. It keeps memory
 * flat whatever the number of findings; the file (and its folder) is removed when the read ends, however it ends.
 */

import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Writes are batched: one system call per this many characters of lines. */
const FLUSH_AT = 1024 * 1024;

export class FindingSpool<T> {
  private readonly dir: string;
  private readonly file: string;
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingChars = 0;
  count = 0;

  constructor(tempDir: string | undefined) {
    this.dir = mkdtempSync(path.join(tempDir ?? tmpdir(), "qualys-report-"));
    this.file = path.join(this.dir, "findings.jsonl");
    this.fd = openSync(this.file, "w", 0o600);
  }

  add(record: T): void {
    const line = `${JSON.stringify(record)}\n`;
    this.pending.push(line);
    this.pendingChars += line.length;
    this.count += 1;
    if (this.pendingChars >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    writeSync(this.fd, this.pending.join(""));
    this.pending = [];
    this.pendingChars = 0;
  }

  /** The records in the order they were added. */
  async *replay(): AsyncGenerator<T> {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    let partial = "";
    const stream = createReadStream(this.file, { encoding: "utf8", highWaterMark: 1024 * 1024 });
    for await (const chunk of stream as AsyncIterable<string>) {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.length > 0) yield JSON.parse(line) as T;
    }
    if (partial.length > 0) yield JSON.parse(partial) as T;
  }

  /** Removes the file and its folder; safe to call more than once. */
  dispose(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  get folder(): string {
    return this.dir;
  }
}
