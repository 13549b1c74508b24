/**
 * A synced object as a stream: its key, its cursor field, and how to read it. The engine (engine.ts, run by the
 * store sync in sync.ts and by the Airbyte source) owns ordering, checkpoints, parallel reads and commits; a stream only knows its own API calls (STYLE.md, "streams
 * behind one interface").
 */

import type { Criterion, QualysClient } from "@qualys-connector/client";
import type { SeverityLabelMap } from "@qualys-connector/model";
import type { Store, StoredObject, UpsertCounts, WriteContext } from "@qualys-connector/store";

/** User filters (like the operation options of Brinqa's Qualys WAS connector), dates in UTC. */
export interface SyncFilters {
  /** Web apps updated since (ISO date or date-time). */
  updatedSince?: string | undefined;
  /** Findings last detected since. */
  lastDetectedSince?: string | undefined;
  severity?: readonly number[] | undefined;
  status?: readonly string[] | undefined;
  /** Definitions: QIDs; web apps: ids. */
  ids?: readonly number[] | undefined;
  webAppIds?: readonly number[] | undefined;
}

/** What a stream's reads need: no store (the Airbyte source has none; the engine writes). */
export interface StreamContext {
  client: QualysClient;
  filters: SyncFilters;
  /** Records changed after this time (incremental), or undefined for everything (first or `--full` run). */
  since: string | undefined;
  pageSize: number;
  /** Severity labels of the stored findings (default: the model's CHMLI table). */
  labels?: SeverityLabelMap | undefined;
}

/** One pass of a stream: a search whose pages are committed with their checkpoint (the last id). */
export interface Pass {
  /** Stable name, kept in the checkpoint so a resumed run continues the same pass. */
  name: string;
  criteria: Criterion[];
  /**
   * The pass may be split into groups of web apps read in parallel (`webApp.id IN …`), one search per group: a
   * single search pages strictly one after another (`id GREATER lastId`), so it can use only one of the
   * subscription's concurrent calls.
   */
  partitionable?: boolean;
}

export interface Stream<R> {
  object: StoredObject;
  /** The field incremental runs filter on, as Qualys names it. */
  cursorField: string;
  /** The searches of this run, in order. */
  passes(ctx: StreamContext): Pass[];
  /** Every record of a pass after `afterId`, in id order (the engine commits a page at a time). */
  read(ctx: StreamContext, pass: Pass, afterId: number): AsyncIterable<{ id: number; record: R }>;
  write(store: Store, records: readonly R[], ctx: WriteContext): Promise<UpsertCounts>;
}
