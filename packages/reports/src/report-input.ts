/**
 * The bytes of a report: from a file or a stream, hashed and counted as read (before any decompression), then
 * unwrapped from gzip or zip when the first bytes say so (never the file name).
 */

import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { pipeline, Readable } from "node:stream";
import { createGunzip, createInflateRaw } from "node:zlib";

/** Where a report is read from: a file, or a stream (standard input is `{ stream: process.stdin, name: "-" }`). */
export type ReportSource = { path: string } | { stream: AsyncIterable<Uint8Array>; name: string };

export interface RawInputOptions {
  signal?: AbortSignal | undefined;
  onProgress?: ((bytesRead: number) => void) | undefined;
}

/** Read size for files: large reads keep the disk ahead of the parser. */
const READ_CHUNK = 1024 * 1024;
/**
 * What is handed on at a time: small enough that each piece's text stays out of V8's large-object space
 * (measured: 64 KB pieces read fastest and keep the peak memory flat).
 */
const PIECE = 64 * 1024;
/** The last raw bytes kept, to read a zip's end records (central directory and its end) when the stream ends. */
const TAIL_MAX = 1024 * 1024;

/** What was read: the raw bytes' count and hash, and the last of them (for a zip's central directory). */
export class RawInput {
  bytes = 0;
  /** What stopped the raw read (an abort, a read error), so a decompressor's error is not blamed for it. */
  failure: unknown;
  private readonly hash: Hash = createHash("sha256");
  private tail: Buffer[] = [];
  private tailBytes = 0;

  constructor(
    private readonly source: ReportSource,
    private readonly options: RawInputOptions,
  ) {}

  async *chunks(): AsyncGenerator<Buffer> {
    const iterable: AsyncIterable<Uint8Array> =
      "path" in this.source
        ? createReadStream(this.source.path, { highWaterMark: READ_CHUNK })
        : this.source.stream;
    const { signal, onProgress } = this.options;
    const iterator = iterable[Symbol.asyncIterator]();
    // A read that waits for bytes (a pipe, standard input, a slow network mount) must not hold an abort until more
    // arrive: each wait races the signal, and the source is closed when it wins.
    const stop = signal ? abortPromise(signal) : undefined;
    let finished = false;
    try {
      signal?.throwIfAborted();
      for (;;) {
        const next = await (stop ? Promise.race([iterator.next(), stop.promise]) : iterator.next());
        if (next.done) {
          finished = true;
          break;
        }
        signal?.throwIfAborted();
        const chunk = next.value;
        const bytes = Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
        this.hash.update(bytes);
        this.bytes += bytes.length;
        this.keepTail(bytes);
        onProgress?.(this.bytes);
        if (bytes.length <= PIECE) yield bytes;
        else for (let at = 0; at < bytes.length; at += PIECE) yield bytes.subarray(at, at + PIECE);
      }
    } catch (error) {
      this.failure ??= error;
      throw error;
    } finally {
      stop?.dispose();
      // An early stop, an error or an abort closes the source. After an abort a read may still be pending in it,
      // which may never settle (a pipe nobody writes to), so that close is not awaited.
      if (!finished) {
        if (signal?.aborted) {
          // A stream's iterator queues `return` behind the pending read, so the stream itself is destroyed.
          (iterable as { destroy?: (error?: Error) => void }).destroy?.();
          iterator.return?.().catch(() => undefined);
        } else await iterator.return?.();
      }
    }
  }

  private keepTail(bytes: Buffer): void {
    this.tail.push(bytes);
    this.tailBytes += bytes.length;
    while (this.tail.length > 1 && this.tailBytes - (this.tail[0]?.length ?? 0) >= TAIL_MAX) {
      this.tailBytes -= this.tail.shift()?.length ?? 0;
    }
  }

  /** Hex SHA-256 of everything read so far (call once, at the end). */
  sha256(): string {
    return this.hash.digest("hex");
  }

  lastBytes(): Buffer {
    const all = Buffer.concat(this.tail);
    return all.length > TAIL_MAX ? all.subarray(all.length - TAIL_MAX) : all;
  }
}

/** Reads exact byte counts from a chunk stream. */
class ByteReader {
  private buffered: Buffer = Buffer.alloc(0);
  private done = false;
  constructor(private readonly it: AsyncIterator<Buffer>) {}

  /** Up to `n` bytes (fewer only at the end of the stream). */
  async read(n: number): Promise<Buffer> {
    while (this.buffered.length < n && !this.done) {
      const next = await this.it.next();
      if (next.done) this.done = true;
      else
        this.buffered = this.buffered.length === 0 ? next.value : Buffer.concat([this.buffered, next.value]);
    }
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(out.length);
    return out;
  }

  /** What is buffered, then the rest of the stream, chunk by chunk; at most `limit` bytes. */
  async *stream(limit = Number.POSITIVE_INFINITY): AsyncGenerator<Buffer> {
    let left = limit;
    while (left > 0) {
      let chunk: Buffer;
      if (this.buffered.length > 0) {
        chunk = this.buffered;
        this.buffered = Buffer.alloc(0);
      } else {
        if (this.done) return;
        const next = await this.it.next();
        if (next.done) {
          this.done = true;
          return;
        }
        chunk = next.value;
      }
      if (chunk.length > left) {
        this.buffered = chunk.subarray(left);
        chunk = chunk.subarray(0, left);
      }
      left -= chunk.length;
      yield chunk;
    }
  }

  async drain(): Promise<void> {
    this.buffered = Buffer.alloc(0);
    while (!this.done) {
      const next = await this.it.next();
      if (next.done) this.done = true;
    }
  }
}

export type Container = "plain" | "gzip" | "zip";

export class ContainerError extends Error {}

/** Decompressed through a zlib stream; errors of the source or of zlib surface from the iteration. */
async function* through(
  source: AsyncIterable<Buffer>,
  zstream: ReturnType<typeof createGunzip>,
): AsyncGenerator<Buffer> {
  let failed: Error | undefined;
  pipeline(Readable.from(source), zstream, (error) => {
    // A raw deflate stream ends by itself; what follows it in a zip is not its business ("Premature close").
    if (error && (error as NodeJS.ErrnoException).code !== "ERR_STREAM_PREMATURE_CLOSE") failed = error;
  });
  try {
    for await (const chunk of zstream as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    throw failed ?? error;
  }
}

function zlibReason(kind: string, error: unknown): ContainerError {
  const message = error instanceof Error ? error.message : String(error);
  return new ContainerError(`corrupt ${kind} data: ${message}`);
}

/**
 * The document inside: plain bytes as they are, gzip (RFC 1952 magic 1f 8b) inflated, zip (local file header
 * `PK\x03\x04`) read from its local headers as a stream. Container problems are `ContainerError`s.
 */
export async function* documentBytes(
  raw: RawInput,
  onContainer: (c: Container) => void,
): AsyncGenerator<Buffer> {
  const it = raw.chunks()[Symbol.asyncIterator]();
  const reader = new ByteReader(it);
  try {
    const magic = await reader.read(4);
    const rest = (async function* () {
      if (magic.length > 0) yield magic;
      yield* reader.stream();
    })();
    if (magic[0] === 0x1f && magic[1] === 0x8b) {
      onContainer("gzip");
      try {
        yield* through(rest, createGunzip());
      } catch (error) {
        if (raw.failure !== undefined) throw raw.failure;
        throw zlibReason("gzip", error);
      }
      return;
    }
    const signature = magic.length === 4 ? magic.readUInt32LE(0) : -1;
    if (signature === LOCAL_HEADER || signature === END_OF_CENTRAL_DIRECTORY) {
      onContainer("zip");
      yield* zipDocument(magic, reader, raw);
      return;
    }
    onContainer("plain");
    yield* rest;
  } finally {
    await it.return?.(undefined);
  }
}

const LOCAL_HEADER = 0x04034b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_HEADER = 0x02014b50;

/**
 * The one entry of a zip archive (APPNOTE.TXT 4.3.7: local file header, then the data). Stored entries need their
 * size in the local header; deflated ones end by themselves, so the data-descriptor flag (bit 3) is fine for them.
 * After the entry the rest is read to its end, and the archive's end record says how many entries it has.
 */
async function* zipDocument(magic: Buffer, reader: ByteReader, raw: RawInput): AsyncGenerator<Buffer> {
  if (magic.readUInt32LE(0) === END_OF_CENTRAL_DIRECTORY)
    throw new ContainerError("the zip archive is empty");
  const header = Buffer.concat([magic, await reader.read(26)]);
  if (header.length < 30) throw new ContainerError("the zip archive ends inside its first file header");
  const flags = header.readUInt16LE(6);
  const method = header.readUInt16LE(8);
  const compressedSize = header.readUInt32LE(18);
  const nameLength = header.readUInt16LE(26);
  const extraLength = header.readUInt16LE(28);
  const nameBytes = await reader.read(nameLength);
  const name = nameBytes.toString(flags & 0x800 ? "utf8" : "latin1");
  await reader.read(extraLength);
  if (flags & 0x1) throw new ContainerError(`zip entry ${JSON.stringify(name)} is encrypted`);
  const descriptor = (flags & 0x8) !== 0;
  if (method === 0) {
    if (descriptor && compressedSize === 0) {
      throw new ContainerError(
        `zip entry ${JSON.stringify(name)} is stored with its size after the data, which cannot be read as a stream; unzip it first`,
      );
    }
    yield* reader.stream(compressedSize);
  } else if (method === 8) {
    const data = descriptor ? reader.stream() : reader.stream(compressedSize);
    try {
      yield* through(data, createInflateRaw());
    } catch (error) {
      if (raw.failure !== undefined) throw raw.failure;
      throw zlibReason(`zip (${name})`, error);
    }
  } else {
    throw new ContainerError(
      `zip entry ${JSON.stringify(name)} uses compression method ${method}; only stored and deflate are read`,
    );
  }
  await reader.drain();
  const entries = zipEntryNames(raw.lastBytes());
  if (entries === undefined) throw new ContainerError("the zip archive has no end record (truncated?)");
  if (entries.count !== 1) {
    const names = entries.names.map((n) => JSON.stringify(n)).join(", ");
    throw new ContainerError(
      `the zip archive holds ${entries.count} entries (${names}); it must hold exactly one report document`,
    );
  }
}

/** The entry count and names from a zip's end record and central directory (APPNOTE.TXT 4.3.12, 4.3.16). */
function zipEntryNames(tail: Buffer): { count: number; names: string[] } | undefined {
  for (let at = tail.length - 22; at >= 0; at -= 1) {
    if (tail.readUInt32LE(at) !== END_OF_CENTRAL_DIRECTORY) continue;
    const count = tail.readUInt16LE(at + 10);
    const size = tail.readUInt32LE(at + 12);
    const names: string[] = [];
    let entry = at - size;
    while (entry >= 0 && entry + 46 <= at && tail.readUInt32LE(entry) === CENTRAL_HEADER) {
      const flags = tail.readUInt16LE(entry + 8);
      const nameLength = tail.readUInt16LE(entry + 28);
      const extraLength = tail.readUInt16LE(entry + 30);
      const commentLength = tail.readUInt16LE(entry + 32);
      names.push(
        tail.subarray(entry + 46, entry + 46 + nameLength).toString(flags & 0x800 ? "utf8" : "latin1"),
      );
      entry += 46 + nameLength + extraLength + commentLength;
    }
    return { count, names };
  }
  return undefined;
}

export function sourceName(source: ReportSource): string {
  if ("path" in source) {
    const parts = source.path.split(/[\\/]/);
    return parts[parts.length - 1] || source.path;
  }
  return source.name;
}

/** A promise rejected with the signal's reason when it aborts; `dispose` removes its listener. */
function abortPromise(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let onAbort: () => void = () => undefined;
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  // Rejected after the read ended (nobody races it any more) must not be an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, dispose: () => signal.removeEventListener("abort", onAbort) };
}
