/**
 * The store sync: runs the registry's streams through the engine (engine.ts) into a store, incrementally (or in
 * full). Its destination commits every batch together with its checkpoint in one transaction; it resumes an
 * interrupted run from its last committed batch, saves the cursor as the run's start minus an overlap window (so
 * nothing that changed during the run is missed), isolates a failing stream from the others, and counts what
 * each stream added, updated, left unchanged and cost in API calls.
 */

import { createHash } from "node:crypto";
import { setImmediate as yieldToIo } from "node:timers/promises";
import { DEFAULT_CONCURRENCY, type QualysClient, redact } from "@qualys-connector/client";
import type { SeverityLabelMap } from "@qualys-connector/model";
import type {
  Store,
  StoredObject,
  StreamState,
  SubscriptionKey,
  UpsertCounts,
  UpsertOutcome,
} from "@qualys-connector/store";
import { type Checkpoint, parseCheckpoint } from "./checkpoint.js";
import {
  DEFAULT_OVERLAP_MS,
  type DefinitionsPass,
  nextCursor,
  readDefinitionPasses,
  readPasses,
} from "./engine.js";
import { outcomeTally } from "./outcome-tally.js";
import type { Stream, StreamContext, SyncFilters } from "./stream.js";
import { KB_BATCH, STREAM_ORDER, STREAM_REGISTRY } from "./streams.js";

export interface SyncOptions {
  subscription: SubscriptionKey;
  objects: readonly StoredObject[];
  /** Re-read everything (the cursors are kept and replaced at the end) and mark records that vanished. */
  full: boolean;
  filters: SyncFilters;
  /** Records per API page (the client's `PAGE_SIZE` range). */
  pageSize: number;
  /**
   * Records per committed transaction; each carries the stream's checkpoint, so this is also how often an
   * interrupted run can resume from. Default: the page size.
   */
  commitBatch?: number | undefined;
  /** Searches in flight at once on a first or full findings run (the client's own limit applies too). Default 2. */
  concurrency?: number | undefined;
  /** How far before the run's start the next incremental run looks again. Default 10 minutes. */
  overlapMs?: number | undefined;
  /**
   * How long to wait for another sync of the same subscription (SQLite: of the same database) to finish before
   * failing with an error naming it. Default 5 minutes.
   */
  lockWaitMs?: number | undefined;
  /** Stops between pages; the run ends `interrupted` and the next one resumes. */
  signal?: AbortSignal | undefined;
  progress?: ((event: SyncProgress) => void) | undefined;
  now?: (() => number) | undefined;
  /**
   * Severity labels of the stored findings (default: the model's CHMLI table). Applied to the findings a run
   * reads; a `full` run relabels every stored finding.
   */
  labels?: SeverityLabelMap | undefined;
}

export type SyncProgress =
  | {
      kind: "stream-start";
      stream: StoredObject;
      mode: "incremental" | "full";
      since: string | undefined;
      resumed: boolean;
    }
  /** How many records this run of the stream will read in all, when a count call told (first and full runs). */
  | { kind: "expected"; stream: StoredObject; records: number }
  | { kind: "page"; stream: StoredObject; records: number; total: number; apiCalls: number }
  | { kind: "stream-end"; report: StreamReport };

export interface StreamReport extends UpsertCounts {
  stream: StoredObject;
  mode: "incremental" | "full";
  status: "succeeded" | "failed" | "interrupted";
  vanished: number;
  apiCalls: number;
  retries: number;
  durationMs: number;
  error: string | undefined;
}

export interface SyncReport {
  subscriptionId: number;
  streams: StreamReport[];
}

export const DEFAULT_LOCK_WAIT_MS = 5 * 60_000;

/** What one record did in one written page. */
type Outcomes = [uid: string, outcome: UpsertOutcome][];

/** A short, stable name for a set of filters (key order and list order do not matter). */
function filterKey(filters: SyncFilters): string {
  const canonical = Object.entries(filters)
    .filter(([, v]) => v !== undefined && (!Array.isArray(v) || v.length > 0))
    .map(([k, v]) => [k, Array.isArray(v) ? [...v].map(String).sort() : v])
    .sort(([a], [b]) => String(a).localeCompare(String(b)));
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex").slice(0, 12);
}

function hasFilters(filters: SyncFilters): boolean {
  return Object.values(filters).some((v) => v !== undefined && (!Array.isArray(v) || v.length > 0));
}

/** Run the sync of the chosen objects, in dependency order (definitions come from the stored findings). */
export async function runSync(client: QualysClient, store: Store, options: SyncOptions): Promise<SyncReport> {
  const subscriptionId = await store.subscription(options.subscription);
  // One sync of a subscription at a time: two at once would read each other's checkpoints, close each other's
  // runs as interrupted and write the same rows twice over. The second waits for the first, then runs on.
  const lock = await store.lockSync(subscriptionId, {
    waitMs: options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS,
    signal: options.signal,
  });
  try {
    return await syncStreams(client, store, options, subscriptionId);
  } finally {
    await lock.release();
  }
}

async function syncStreams(
  client: QualysClient,
  store: Store,
  options: SyncOptions,
  subscriptionId: number,
): Promise<SyncReport> {
  const now = options.now ?? Date.now;
  const overlap = options.overlapMs ?? DEFAULT_OVERLAP_MS;
  const progress = options.progress ?? (() => {});
  const reports: StreamReport[] = [];

  for (const object of STREAM_ORDER.filter((o) => options.objects.includes(o))) {
    if (options.signal?.aborted) break;
    const started = now();
    const calls0 = client.stats.requests;
    const retries0 = client.stats.retries;
    // A filtered sync keeps its own cursor: records it filtered out were never read, so an unfiltered run must
    // not start from its position (and vice versa).
    const stateKey = hasFilters(options.filters) ? `${object}#${filterKey(options.filters)}` : object;
    const state = await store.getState(subscriptionId, stateKey);
    const { checkpoint } = parseCheckpoint(state?.checkpoint);
    const mode: "incremental" | "full" = options.full ? "full" : "incremental";
    // Resume only a checkpoint of the same kind of run; otherwise start over (the cursor is untouched).
    const resume = checkpoint && (checkpoint.mode ?? "incremental") === mode ? checkpoint : undefined;
    const runStart = resume?.runStart ?? started;
    /** The start the next cursor is counted from: this run's, or the interrupted run's it completed. */
    let cursorStart = runStart;
    const since = mode === "full" ? undefined : resume ? (resume.since ?? undefined) : state?.cursor;
    const runId = await store.startRun(subscriptionId, object, mode, new Date(started).toISOString());
    progress({ kind: "stream-start", stream: object, mode, since, resumed: resume !== undefined });
    const counts: UpsertCounts = { added: 0, updated: 0, unchanged: 0 };
    let vanished = 0;
    let status: StreamReport["status"] = "succeeded";
    let error: string | undefined;
    const ctx: StreamContext = {
      client,
      filters: options.filters,
      since,
      pageSize: options.pageSize,
      labels: options.labels,
    };
    const write = { subscriptionId, source: "api", runId };
    const commitBatch = options.commitBatch ?? options.pageSize;
    let total = 0;
    // Each record counts once per run, however often the run reads it: the tested and ignored passes can both
    // return a finding, and a resumed run sweeps again what changed while it lay interrupted.
    const tally = outcomeTally(counts);
    const add = (outcomes: Outcomes) => {
      for (const [uid, outcome] of outcomes) tally(uid, outcome);
    };
    try {
      if (object === "definitions") {
        total = await syncDefinitions(ctx, store, subscriptionId, options, state, add, now, runId);
      } else {
        const paged = STREAM_REGISTRY[object].paged;
        if (!paged) throw new Error(`${object}: not a paged stream`);
        const stream = paged as Stream<{ uid: string }>;
        /** Read every pass of one run (fresh, or the rest of an interrupted one). Returns true when interrupted. */
        const runPhase = (
          phaseMode: "incremental" | "full",
          phaseSince: string | undefined,
          phaseStart: number,
          phaseResume: Checkpoint | undefined,
        ): Promise<boolean> =>
          readPasses({
            stream,
            ctx: { ...ctx, since: phaseSince },
            mode: phaseMode,
            runStart: phaseStart,
            resume: phaseResume,
            concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
            commitBatch,
            signal: options.signal,
            expected: (records) => progress({ kind: "expected", stream: object, records: total + records }),
            destination: {
              ordered: false,
              /** A batch and the checkpoint that covers it, in one transaction. */
              commit: async (records, checkpoint) => {
                // A commit holds the thread for milliseconds (better-sqlite3 is synchronous). Letting pending
                // I/O run first sends the next page's request and reads the other search's answer before it,
                // instead of after: 214 ms per 200 ms call became 206 (bench/sync-throughput).
                await yieldToIo();
                const outcomes: Outcomes = [];
                await store.transaction(async (tx) => {
                  await stream.write(tx, records, {
                    ...write,
                    now: new Date(now()).toISOString(),
                    onRecord: (uid, outcome) => outcomes.push([uid, outcome]),
                  });
                  await tx.setState(subscriptionId, stateKey, {
                    cursor: state?.cursor,
                    checkpoint: { ...checkpoint },
                    updatedAt: new Date(now()).toISOString(),
                  });
                });
                // Counted once committed: a batch rolled back added nothing.
                add(outcomes);
                total += records.length;
                progress({
                  kind: "page",
                  stream: object,
                  records: records.length,
                  total,
                  apiCalls: client.stats.requests - calls0,
                });
              },
            },
          });
        let interrupted = await runPhase(mode, since, runStart, resume);
        if (!interrupted && mode === "full" && !hasFilters(options.filters))
          vanished = await store.markVanished(
            object,
            subscriptionId,
            new Date(runStart).toISOString(),
            new Date(now()).toISOString(),
          );
        if (!interrupted && resume) {
          // The interrupted run is finished, but records it had already passed may have changed while it lay
          // interrupted: a sweep of everything changed since that run started makes this run exact.
          interrupted = await runPhase(
            "incremental",
            nextCursor(resume.runStart, overlap),
            started,
            undefined,
          );
          cursorStart = started;
        }
        if (interrupted) status = "interrupted";
      }
      if (status === "succeeded")
        await store.setState(subscriptionId, stateKey, {
          cursor: nextCursor(cursorStart, overlap),
          checkpoint: undefined,
          updatedAt: new Date(now()).toISOString(),
        });
    } catch (caught) {
      status = "failed";
      // Stored in sync_runs and shown by the CLI: masked with every secret the client knows (client errors
      // already are; anything else, such as a store error quoting a value, is masked here).
      error = redact(caught instanceof Error ? caught.message : String(caught), client.secrets());
    }
    const report: StreamReport = {
      stream: object,
      mode,
      status,
      ...counts,
      vanished,
      apiCalls: client.stats.requests - calls0,
      retries: client.stats.retries - retries0,
      durationMs: now() - started,
      error,
    };
    await store.finishRun(
      runId,
      {
        status,
        added: counts.added,
        updated: counts.updated,
        unchanged: counts.unchanged,
        vanished,
        apiCalls: report.apiCalls,
        retries: report.retries,
        errors: error ? [error] : [],
      },
      new Date(now()).toISOString(),
    );
    progress({ kind: "stream-end", report });
    reports.push(report);
  }
  return { subscriptionId, streams: reports };
}

/**
 * Definitions: the QIDs of stored findings that have none (or the `--ids` given), then the stored ones the
 * KnowledgeBase changed since the cursor; a full run re-reads every referenced QID.
 */
async function syncDefinitions(
  ctx: StreamContext,
  store: Store,
  subscriptionId: number,
  options: SyncOptions,
  state: StreamState | undefined,
  add: (outcomes: Outcomes) => void,
  now: () => number,
  runId: number,
): Promise<number> {
  let total = 0;
  const commit = async (records: Parameters<Store["upsertDefinitions"]>[0]) => {
    if (records.length === 0) return;
    const outcomes: Outcomes = [];
    await store.transaction(async (tx) => {
      await tx.upsertDefinitions(records, {
        subscriptionId,
        source: "api",
        runId,
        now: new Date(now()).toISOString(),
        onRecord: (uid, outcome) => outcomes.push([uid, outcome]),
      });
    });
    add(outcomes);
    total += records.length;
  };
  const explicit = ctx.filters.ids && ctx.filters.ids.length > 0 ? [...ctx.filters.ids] : undefined;
  const passes: DefinitionsPass[] = [];
  if (explicit) {
    passes.push({ qids: explicit, modifiedAfter: undefined });
  } else {
    const missing = await store.missingDefinitionQids(subscriptionId);
    const known: number[] = [];
    if (options.full || state?.cursor) {
      for await (const row of store.definitions({ subscriptionId })) known.push(row.record.qid);
    }
    passes.push({ qids: missing, modifiedAfter: undefined });
    if (options.full) passes.push({ qids: known, modifiedAfter: undefined });
    else if (state?.cursor && known.length > 0) passes.push({ qids: known, modifiedAfter: state.cursor });
  }
  await readDefinitionPasses(ctx, passes, KB_BATCH, commit);
  return total;
}

export { guidedGroups } from "./engine.js";
