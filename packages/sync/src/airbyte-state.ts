/**
 * The platform's state: each stream's STATE carries its cursor (the run's start minus the overlap, as in the
 * store sync) and, mid-stream, the engine's checkpoint a resumed attempt continues from.
 */

import {
  AIRBYTE_STREAMS,
  AirbyteInputError,
  type AirbyteStreamName,
  isObject,
  type StreamState,
} from "./airbyte-protocol.js";
import { type Checkpoint, parseCheckpoint } from "./checkpoint.js";

/** QIDs a definitions state remembers at most: KB has about 200,000 QIDs, WAS findings use a few thousand. */
export const MAX_REMEMBERED_QIDS = 100_000;

export function parseStateFile(raw: unknown): Map<AirbyteStreamName, StreamState> {
  const states = new Map<AirbyteStreamName, StreamState>();
  const put = (name: unknown, blob: unknown) => {
    const known = AIRBYTE_STREAMS.find((s) => s === name);
    if (known && isObject(blob)) states.set(known, blob);
  };
  const fromStreamState = (entry: unknown) => {
    if (!isObject(entry) || !isObject(entry.stream_descriptor))
      throw new AirbyteInputError(["state: a stream state needs a stream_descriptor"]);
    put(entry.stream_descriptor.name, entry.stream_state);
  };
  const fromMessage = (message: unknown) => {
    if (!isObject(message)) throw new AirbyteInputError(["state: each entry must be a state message object"]);
    if (
      message.type === "GLOBAL" &&
      isObject(message.global) &&
      Array.isArray(message.global.stream_states)
    ) {
      for (const entry of message.global.stream_states) fromStreamState(entry);
    } else if (message.type === "STREAM" || (message.type === undefined && isObject(message.stream))) {
      fromStreamState(message.stream);
    } else if (isObject(message.data)) {
      for (const [name, blob] of Object.entries(message.data)) put(name, blob);
    } else {
      throw new AirbyteInputError([
        `state: unsupported state message of type ${JSON.stringify(message.type)}`,
      ]);
    }
  };
  if (raw === null || raw === undefined) return states;
  if (Array.isArray(raw)) for (const message of raw) fromMessage(message);
  else if (isObject(raw) && ("type" in raw || "stream" in raw || "global" in raw)) fromMessage(raw);
  else if (isObject(raw)) for (const [name, blob] of Object.entries(raw)) put(name, blob);
  else throw new AirbyteInputError(["state: must be a list of state messages or an object"]);
  return states;
}

const QUALYS_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?Z)?$/;

export type PagedStreamState = { cursor?: string; checkpoint?: Checkpoint };

export type DefinitionsStreamState = {
  cursor?: string;
  /** QIDs already read: the next incremental run asks only for those modified since the cursor. */
  qids?: number[];
  /** Mid-run: QIDs still to read in full, and the interrupted attempt's start. */
  pending?: number[];
  runStart?: number;
};

function cursorOf(stream: string, blob: StreamState): string | undefined {
  const cursor = blob.cursor;
  if (cursor === undefined || cursor === null) return undefined;
  if (typeof cursor !== "string" || !QUALYS_TIME.test(cursor))
    throw new AirbyteInputError([
      `state of ${stream}: cursor must be a UTC date-time like 2026-01-01T00:00:00Z`,
    ]);
  return cursor;
}

function qidList(stream: string, key: string, value: unknown): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((q) => typeof q === "number" && Number.isInteger(q) && q > 0))
    throw new AirbyteInputError([`state of ${stream}: ${key} must be a list of QIDs`]);
  return value;
}

export function readPagedState(stream: string, blob: StreamState | undefined): PagedStreamState {
  if (!blob) return {};
  const cursor = cursorOf(stream, blob);
  const { checkpoint, problem } = parseCheckpoint(blob.checkpoint);
  if (problem) throw new AirbyteInputError([`state of ${stream}: ${problem}`]);
  return { ...(cursor ? { cursor } : {}), ...(checkpoint ? { checkpoint } : {}) };
}

export function readDefinitionsState(blob: StreamState | undefined): DefinitionsStreamState {
  if (!blob) return {};
  const cursor = cursorOf("definitions", blob);
  const qids = qidList("definitions", "qids", blob.qids);
  const pending = qidList("definitions", "pending", blob.pending);
  const runStart = typeof blob.runStart === "number" ? blob.runStart : undefined;
  return {
    ...(cursor ? { cursor } : {}),
    ...(qids ? { qids } : {}),
    ...(pending ? { pending } : {}),
    ...(runStart !== undefined ? { runStart } : {}),
  };
}

/**
 * The QIDs a definitions state keeps: this run's first, then older ones, at most MAX_REMEMBERED_QIDS (a QID
 * dropped is read in full again when a finding references it, and misses KB updates until then).
 */
export function rememberQids(recent: Iterable<number>, older: Iterable<number>): number[] {
  const all = new Set([...recent, ...older]);
  return [...all].slice(0, MAX_REMEMBERED_QIDS).sort((a, b) => a - b);
}
