/**
 * A temporary file of findings read before the parts of the report that complete them (the glossary's titles and
 * severities, the appendix's web apps), replayed once the document has ended. It keeps memory flat whatever the
 * number of findings; the file (and its folder) is removed when the read ends, however it ends.
 *
 * Each record is a frame: a 4-byte length of its small fields as JSON, one 4-byte length per large text (request
 * and response evidence; 0xFFFFFFFF for none), then the bytes. The large texts are written as UTF-8 as they
 * are, without JSON's escaping and the scan for line ends that reading JSON lines back would need.
 */

import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Writes are batched: one system call per buffer of this size. */
const BUFFER_SIZE = 1024 * 1024;
const NONE = 0xffffffff;

export class FindingSpool<T> {
  private readonly dir: string;
  private readonly file: string;
  private fd: number | undefined;
  private buffer = Buffer.allocUnsafe(BUFFER_SIZE);
  private used = 0;
  count = 0;

  /** `texts` is the number of large texts every record carries. */
  constructor(
    tempDir: string | undefined,
    private readonly texts: number,
  ) {
    this.dir = mkdtempSync(path.join(tempDir ?? tmpdir(), "qualys-report-"));
    this.file = path.join(this.dir, "findings.bin");
    this.fd = openSync(this.file, "w", 0o600);
  }

  add(record: T, texts: readonly (string | undefined)[]): void {
    const meta = JSON.stringify(record);
    let size = 4 + 4 * this.texts + Buffer.byteLength(meta);
    for (const text of texts) if (text !== undefined) size += Buffer.byteLength(text);
    if (this.used + size > this.buffer.length) {
      this.flush();
      if (size > this.buffer.length) this.buffer = Buffer.allocUnsafe(size);
    }
    const b = this.buffer;
    let at = this.used;
    const metaAt = at + 4 + 4 * this.texts;
    const metaBytes = b.write(meta, metaAt, "utf8");
    b.writeUInt32LE(metaBytes, at);
    let dataAt = metaAt + metaBytes;
    at += 4;
    for (let i = 0; i < this.texts; i += 1) {
      const text = texts[i];
      if (text === undefined) b.writeUInt32LE(NONE, at);
      else {
        const n = b.write(text, dataAt, "utf8");
        b.writeUInt32LE(n, at);
        dataAt += n;
      }
      at += 4;
    }
    this.used = dataAt;
    this.count += 1;
  }

  private flush(): void {
    if (this.fd === undefined || this.used === 0) return;
    writeSync(this.fd, this.buffer, 0, this.used);
    this.used = 0;
  }

  /** The records and their large texts, in the order they were added. */
  async *replay(): AsyncGenerator<[T, (string | undefined)[]]> {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = openSync(this.file, "r");
    const head = 4 + 4 * this.texts;
    // Read in large blocks; a record cut by a block's end moves to the front and the next block fills in after it.
    let block = Buffer.allocUnsafe(4 * BUFFER_SIZE);
    let have = 0;
    for (;;) {
      const read = readSync(this.fd, block, have, block.length - have, null);
      have += read;
      let at = 0;
      while (have - at >= head) {
        const metaBytes = block.readUInt32LE(at);
        let size = head + metaBytes;
        for (let i = 0; i < this.texts; i += 1) {
          const n = block.readUInt32LE(at + 4 + 4 * i);
          if (n !== NONE) size += n;
        }
        if (have - at < size) {
          if (size > block.length) {
            const bigger = Buffer.allocUnsafe(size);
            block.copy(bigger, 0, at, have);
            block = bigger;
            have -= at;
            at = 0;
          }
          break;
        }
        let dataAt = at + head;
        const record = JSON.parse(block.toString("utf8", dataAt, dataAt + metaBytes)) as T;
        dataAt += metaBytes;
        const texts: (string | undefined)[] = [];
        for (let i = 0; i < this.texts; i += 1) {
          const n = block.readUInt32LE(at + 4 + 4 * i);
          if (n === NONE) texts.push(undefined);
          else {
            texts.push(block.toString("utf8", dataAt, dataAt + n));
            dataAt += n;
          }
        }
        at += size;
        yield [record, texts];
      }
      if (at > 0) {
        block.copy(block, 0, at, have);
        have -= at;
      }
      if (read === 0) break;
    }
    if (have > 0) throw new Error("the temporary findings file ends inside a record");
  }

  /** Removes the file and its folder; safe to call more than once. */
  dispose(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
