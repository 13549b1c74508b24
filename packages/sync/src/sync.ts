/**
 * The sync engine: runs each stream incrementally (or in full), commits every page together with its checkpoint
 * in one transaction, resumes an interrupted run from its last committed page, saves the cursor as the run's
 * start minus an overlap window (so nothing that changed during the run is missed), isolates a failing stream
 * from the others, and counts what each stream added, updated, left unchanged and cost in API calls.
 */

import { createHash } from "node:crypto";
import { setImmediate as yieldToIo } from "node:timers/promises";
import { type QualysClient, redact } from "@qualys-connector/client";
import type {
  Store,
  StoredObject,
  StreamState,
  SubscriptionKey,
  UpsertCounts,
  UpsertOutcome,
} from "@qualys-connector/store";
import type { Pass, Stream, StreamContext, SyncFilters } from "./stream.js";
import { findingsStream, readDefinitions, webAppsStream } from "./streams.js";

export interface SyncOptions {
  subscription: SubscriptionKey;
  objects: readonly StoredObject[];
  /** Re-read everything (the cursors are kept and replaced at the end) and mark records that vanished. */
  full: boolean;
  filters: SyncFilters;
  /** Records per page and per committed transaction. */
  pageSize: number;
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

export const DEFAULT_OVERLAP_MS = 10 * 60_000;
export const DEFAULT_LOCK_WAIT_MS = 5 * 60_000;

/** What one record did in one written page. */
type Outcomes = [uid: string, outcome: UpsertOutcome][];

/** Qualys' date-time form: `2026-12-01T12:00:00Z` (seed 003's examples are UTC). */
export function qualysTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

interface Checkpoint {
  mode: "incremental" | "full";
  since: string | null;
  runStart: number;
  pass: string;
  afterId: number;
  /** Findings only: which pass names are done (a resumed run skips them). */
  done: string[];
  /** A partitioned pass: its groups of web app ids, the groups done, and the last committed id of the others. */
  groups?: number[][] | undefined;
  groupsDone?: number[] | undefined;
  groupAfter?: Record<string, number> | undefined;
}

function readCheckpoint(state: StreamState | undefined): Checkpoint | undefined {
  const c = state?.checkpoint;
  if (!c || typeof c.runStart !== "number" || typeof c.pass !== "string" || typeof c.afterId !== "number")
    return undefined;
  return {
    mode: c.mode === "full" ? "full" : "incremental",
    since: typeof c.since === "string" ? c.since : null,
    runStart: c.runStart,
    pass: c.pass,
    afterId: c.afterId,
    done: Array.isArray(c.done) ? c.done.filter((d): d is string => typeof d === "string") : [],
    groups: Array.isArray(c.groups) ? (c.groups as number[][]) : undefined,
    groupsDone: Array.isArray(c.groupsDone) ? (c.groupsDone as number[]) : undefined,
    groupAfter:
      c.groupAfter && typeof c.groupAfter === "object" ? (c.groupAfter as Record<string, number>) : undefined,
  };
}

const STREAMS: Readonly<Record<"webapps" | "findings", Stream<{ uid: string }>>> = {
  webapps: webAppsStream as Stream<{ uid: string }>,
  findings: findingsStream as Stream<{ uid: string }>,
};

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
  const order: StoredObject[] = ["webapps", "findings", "definitions"];
  const reports: StreamReport[] = [];

  for (const object of order.filter((o) => options.objects.includes(o))) {
    if (options.signal?.aborted) break;
    const started = now();
    const calls0 = client.stats.requests;
    const retries0 = client.stats.retries;
    // A filtered sync keeps its own cursor: records it filtered out were never read, so an unfiltered run must
    // not start from its position (and vice versa).
    const stateKey = hasFilters(options.filters) ? `${object}#${filterKey(options.filters)}` : object;
    const state = await store.getState(subscriptionId, stateKey);
    const checkpoint = readCheckpoint(state);
    const mode: "incremental" | "full" = options.full ? "full" : "incremental";
    // Resume only a checkpoint of the same kind of run; otherwise start over (the cursor is untouched).
    const resume = checkpoint && checkpoint.mode === mode ? checkpoint : undefined;
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
    };
    const write = { subscriptionId, source: "api", runId };
    let total = 0;
    // Each record counts once per run, however often the run reads it: the tested and ignored passes can both
    // return a finding, and a resumed run sweeps again what changed while it lay interrupted. A record
    // unchanged at its first read and changed at a later one counts as updated.
    const counted = new Map<string, UpsertOutcome>();
    const add = (outcomes: Outcomes) => {
      for (const [uid, outcome] of outcomes) {
        const before = counted.get(uid);
        if (before === undefined) {
          counted.set(uid, outcome);
          counts[outcome] += 1;
        } else if (before === "unchanged" && outcome !== "unchanged") {
          counted.set(uid, outcome);
          counts.unchanged -= 1;
          counts[outcome] += 1;
        }
      }
    };
    try {
      if (object === "definitions") {
        total = await syncDefinitions(ctx, store, subscriptionId, options, state, add, now, runId);
      } else {
        const stream = STREAMS[object];
        const concurrency = options.concurrency ?? 2;
        /** Read every pass of one run (fresh, or the rest of an interrupted one). Returns true when interrupted. */
        const runPhase = async (
          phaseMode: "incremental" | "full",
          phaseSince: string | undefined,
          phaseStart: number,
          phaseResume: Checkpoint | undefined,
        ): Promise<boolean> => {
          const phaseCtx: StreamContext = { ...ctx, since: phaseSince };
          const done = new Set(phaseResume?.done ?? []);
          /** Commit a page with the checkpoint that covers it, in one transaction. */
          const commitPage = async (
            pass: Pass,
            records: { uid: string }[],
            position: Record<string, unknown>,
          ) => {
            // A commit holds the thread for milliseconds (better-sqlite3 is synchronous). Letting pending I/O
            // run first sends the next page's request and reads the other search's answer before it, instead
            // of after: 214 ms per 200 ms call became 206 (bench/sync-throughput).
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
                checkpoint: {
                  mode: phaseMode,
                  since: phaseSince ?? null,
                  runStart: phaseStart,
                  pass: pass.name,
                  done: [...done],
                  ...position,
                },
                updatedAt: new Date(now()).toISOString(),
              });
            });
            // Counted once committed: a page rolled back added nothing.
            add(outcomes);
            total += records.length;
            progress({
              kind: "page",
              stream: object,
              records: records.length,
              total,
              apiCalls: client.stats.requests - calls0,
            });
          };
          for (const pass of stream.passes(phaseCtx)) {
            if (done.has(pass.name)) continue;
            const resumed = phaseResume && phaseResume.pass === pass.name ? phaseResume : undefined;
            const interrupted =
              pass.partitionable && concurrency > 1
                ? await runPartitioned(stream, phaseCtx, pass, resumed, concurrency, {
                    commit: (records, position) => commitPage(pass, records, { afterId: 0, ...position }),
                    signal: options.signal,
                    expected: (records) =>
                      progress({ kind: "expected", stream: object, records: total + records }),
                  })
                : await runPass(
                    stream,
                    phaseCtx,
                    pass,
                    resumed?.afterId ?? 0,
                    (records, lastId) => commitPage(pass, records, { afterId: lastId }),
                    options.signal,
                  );
            if (interrupted) return true;
            done.add(pass.name);
          }
          return false;
        };
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
            qualysTime(resume.runStart - overlap),
            started,
            undefined,
          );
          cursorStart = started;
        }
        if (interrupted) status = "interrupted";
      }
      if (status === "succeeded")
        await store.setState(subscriptionId, stateKey, {
          cursor: qualysTime(cursorStart - overlap),
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

/** Read a pass page by page; `commit` gets each page and its last id. Returns true when interrupted. */
async function runPass<R>(
  stream: Stream<R>,
  ctx: StreamContext,
  pass: Pass,
  afterId: number,
  commit: (records: R[], lastId: number) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  let page: R[] = [];
  let lastId = afterId;
  for await (const { id, record } of stream.read(ctx, pass, afterId)) {
    page.push(record);
    lastId = id;
    if (page.length >= ctx.pageSize) {
      await commit(page, lastId);
      page = [];
      if (signal?.aborted) return true;
    }
  }
  if (page.length > 0) await commit(page, lastId);
  return false;
}

/**
 * How fast group sizes shrink: each group takes 1 / (GUIDED_FACTOR x concurrency) of the web apps still
 * unassigned, so the first groups are large (few partial last pages) and the last ones are single web apps (the
 * worker that finishes first never waits long for the other). Equal groups left a whole group to one worker
 * whenever their number was odd: 25 groups of 8 pages ended with 1.7 s of one call in flight
 * (bench/sync-throughput).
 */
const GUIDED_FACTOR = 2;
/** Pages a group should have on average, so that the partial last page of each group costs little. */
const MIN_PAGES_PER_GROUP = 3;
/**
 * Most web apps in one `webApp.id IN` list. Qualys documents no limit on an IN list (qualys-api.md 3.3); this
 * keeps each request small (about 3 KB of ids) on a subscription of thousands of web apps.
 */
const MAX_GROUP_SIZE = 300;

/**
 * Split sorted web app ids into groups of decreasing size ("guided" scheduling); `minSize` keeps a small
 * subscription from being read one partial page per web app.
 */
export function guidedGroups(ids: readonly number[], concurrency: number, minSize: number): number[][] {
  const groups: number[][] = [];
  for (let i = 0; i < ids.length; ) {
    const guided = Math.ceil((ids.length - i) / (GUIDED_FACTOR * concurrency));
    const size = Math.max(minSize, Math.min(MAX_GROUP_SIZE, guided));
    groups.push(ids.slice(i, i + size));
    i += size;
  }
  return groups;
}

interface GroupPosition {
  groups: number[][];
  groupsDone: number[];
  groupAfter: Record<string, number>;
}

/**
 * Read a pass split into groups of web apps (`webApp.id IN group`), `concurrency` groups at a time. Reads run in
 * parallel; commits run one at a time, and each commit's checkpoint holds only progress already committed (plus
 * its own page), so a crash can make a resumed run re-read a page, never skip one. Web apps created after the
 * group list was made are caught by the next incremental run (their findings are tested after this run's start).
 */
async function runPartitioned<R>(
  stream: Stream<R>,
  ctx: StreamContext,
  pass: Pass,
  resume: Checkpoint | undefined,
  concurrency: number,
  io: {
    commit: (records: R[], position: GroupPosition) => Promise<void>;
    signal: AbortSignal | undefined;
    /** Told the pass's record count when the run counts it (not on a resumed run). */
    expected: (records: number) => void;
  },
): Promise<boolean> {
  let groups = resume?.groups;
  if (!groups) {
    // The web app list and one count call (which sizes the split: groups of a few pages each at least, so a small
    // subscription is read in a handful of calls rather than one partial page per web app), side by side.
    const listIds = async () => {
      const found: number[] = [];
      for await (const node of ctx.client.was.webApps.search({ pageSize: 1000 })) {
        const id = Number(node.id);
        if (Number.isInteger(id)) found.push(id);
      }
      return found.sort((a, b) => a - b);
    };
    const [ids, findings] = await Promise.all([listIds(), ctx.client.was.findings.count(pass.criteria)]);
    io.expected(findings);
    const pages = Math.ceil(findings / ctx.pageSize);
    // Web apps that hold MIN_PAGES_PER_GROUP pages on average (all of them when there are fewer pages).
    const minSize = pages === 0 ? ids.length : Math.ceil((MIN_PAGES_PER_GROUP * ids.length) / pages);
    groups = guidedGroups(ids, concurrency, Math.max(1, minSize));
  }
  const allGroups = groups;
  const groupsDone = new Set(resume?.groupsDone ?? []);
  const groupAfter: Record<string, number> = { ...(resume?.groupAfter ?? {}) };
  let chain: Promise<void> = Promise.resolve();
  /** Commits one at a time, in the order pages arrive. */
  const commit = (records: R[], group: number, lastId: number, finished: boolean): Promise<void> => {
    const next = chain.then(async () => {
      await io.commit(records, {
        groups: allGroups,
        groupsDone: finished ? [...groupsDone, group] : [...groupsDone],
        groupAfter: { ...groupAfter, [group]: lastId },
      });
      groupAfter[group] = lastId;
      if (finished) groupsDone.add(group);
    });
    chain = next.catch(() => undefined);
    return next;
  };
  let interrupted = false;
  let failure: unknown;
  let uncommitted = 0;
  const pending: Promise<void>[] = [];
  /**
   * Pages are handed to the commit chain without waiting for it, so the next page is already being fetched
   * while this one is written: over a slow link the API calls, not the database, set the pace. When the database
   * is the slower side, a worker waits for its page once more than `concurrency` pages are uncommitted, so pages
   * never pile up in memory and an interruption takes effect within a few pages.
   */
  const enqueue = async (records: R[], group: number, lastId: number, finished: boolean) => {
    uncommitted += 1;
    const committed = commit(records, group, lastId, finished)
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => {
        uncommitted -= 1;
      });
    pending.push(committed);
    if (uncommitted > concurrency) await committed;
  };
  const queue = allGroups.map((_, index) => index).filter((index) => !groupsDone.has(index));
  const worker = async (): Promise<void> => {
    for (;;) {
      const group = queue.shift();
      if (group === undefined || interrupted) return;
      const groupPass: Pass = {
        name: pass.name,
        criteria: [
          ...pass.criteria,
          { field: "webApp.id", operator: "IN", value: (allGroups[group] ?? []).join(",") },
        ],
      };
      let page: R[] = [];
      let lastId = groupAfter[group] ?? 0;
      for await (const { id, record } of stream.read(ctx, groupPass, lastId)) {
        page.push(record);
        lastId = id;
        if (page.length >= ctx.pageSize) {
          await enqueue(page, group, lastId, false);
          page = [];
          if (failure !== undefined) return;
          if (io.signal?.aborted) {
            interrupted = true;
            return;
          }
        }
      }
      await enqueue(page, group, lastId, true);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await Promise.all(pending);
  if (failure !== undefined) throw failure;
  return interrupted;
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
  if (explicit) {
    for await (const batch of readDefinitions(ctx, explicit, undefined)) await commit(batch);
    return total;
  }
  const missing = await store.missingDefinitionQids(subscriptionId);
  const known: number[] = [];
  if (options.full || state?.cursor) {
    for await (const row of store.definitions({ subscriptionId })) known.push(row.record.qid);
  }
  for await (const batch of readDefinitions(ctx, missing, undefined)) await commit(batch);
  if (options.full) {
    for await (const batch of readDefinitions(ctx, known, undefined)) await commit(batch);
  } else if (state?.cursor && known.length > 0) {
    for await (const batch of readDefinitions(ctx, known, state.cursor)) await commit(batch);
  }
  return total;
}
