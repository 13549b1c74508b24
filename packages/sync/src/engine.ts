/**
 * The one reader of paged streams, shared by every destination: it runs a stream's passes in order, reads each
 * page by page (`id GREATER lastId`), splits a partitionable pass into groups of web apps read in parallel, and
 * hands each batch of records to the destination together with the checkpoint that covers it. The destination
 * makes the batch durable (the store: one transaction; the Airbyte source: RECORD messages, then a STATE).
 */

import type { DefinitionRecord } from "@qualys-connector/model";
import type { Checkpoint } from "./checkpoint.js";
import type { Pass, Stream, StreamContext } from "./stream.js";
import { readDefinitions } from "./streams.js";

/** How far before the run's start the next incremental run looks again. */
export const DEFAULT_OVERLAP_MS = 10 * 60_000;

/**
 * Records a destination buffers at most while it waits for an earlier group (an ordered destination only): the
 * other workers read ahead this far before they wait, which keeps them busy while the first group is read.
 */
export const ORDERED_BUFFER_RECORDS = 20_000;

/** Qualys' date-time form: `2026-12-01T12:00:00Z` (docs/qualys-api.md 3.3: DATE criteria are UTC). */
export function qualysTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * The cursor a run leaves for the next one: its start minus the overlap, not the newest record's time, so nothing
 * that changed while the run was reading is missed.
 */
export function nextCursor(runStart: number, overlapMs: number = DEFAULT_OVERLAP_MS): string {
  return qualysTime(runStart - overlapMs);
}

/** Where a paged stream's batches go. */
export interface PageDestination<R> {
  /**
   * Make `records` durable together with `checkpoint` (which covers them and everything committed before).
   * Called one batch at a time, never concurrently.
   */
  commit(records: R[], checkpoint: Checkpoint): Promise<void>;
  /**
   * Batches of a partitioned pass must arrive group after group, in the order of the groups (each group in id
   * order), as a sequential read would deliver them. Otherwise they arrive as they are read.
   */
  ordered: boolean;
}

export interface PassesRun<R> {
  stream: Stream<R>;
  /** The context of this run (its `since` is the cursor the passes filter on). */
  ctx: StreamContext;
  /** Kept in the checkpoint so a resumed run continues the same logical run. */
  runStart: number;
  mode?: "incremental" | "full" | undefined;
  /** The checkpoint of the interrupted run this one continues. */
  resume: Checkpoint | undefined;
  /** Searches in flight at once on a partitionable pass (1: read it as one search). */
  concurrency: number;
  /** Records per commit; each commit carries a checkpoint, so this is also the checkpoint cadence. */
  commitBatch: number;
  signal?: AbortSignal | undefined;
  destination: PageDestination<R>;
  /** Told how many records a partitioned pass holds, when it counted them (not on a resumed run). */
  expected?: ((records: number) => void) | undefined;
}

/** Read every pass of one run (fresh, or the rest of an interrupted one). Returns true when interrupted. */
export async function readPasses<R>(run: PassesRun<R>): Promise<boolean> {
  const { stream, ctx, resume } = run;
  const done = new Set(resume?.done ?? []);
  for (const pass of stream.passes(ctx)) {
    if (done.has(pass.name)) continue;
    const resumed = resume && resume.pass === pass.name ? resume : undefined;
    const checkpointOf = (
      position: Pick<Checkpoint, "afterId" | "groups" | "groupsDone" | "groupAfter">,
    ) => ({
      ...(run.mode ? { mode: run.mode } : {}),
      since: ctx.since ?? null,
      runStart: run.runStart,
      pass: pass.name,
      done: [...done],
      ...position,
    });
    // A checkpoint written by a sequential read of this pass (no groups) continues sequentially from its id.
    const sequentialResume = resumed !== undefined && resumed.groups === undefined && resumed.afterId > 0;
    const interrupted =
      pass.partitionable && run.concurrency > 1 && !sequentialResume
        ? await readPartitioned(run, pass, resumed, (records, position) =>
            run.destination.commit(records, checkpointOf(position)),
          )
        : await readPass(run, pass, resumed?.afterId ?? 0, (records, afterId) =>
            run.destination.commit(records, checkpointOf({ afterId })),
          );
    if (interrupted) return true;
    done.add(pass.name);
  }
  return false;
}

/** Read a pass as one search; `commit` gets each batch and its last id. Returns true when interrupted. */
async function readPass<R>(
  run: PassesRun<R>,
  pass: Pass,
  afterId: number,
  commit: (records: R[], lastId: number) => Promise<void>,
): Promise<boolean> {
  let batch: R[] = [];
  let lastId = afterId;
  for await (const { id, record } of run.stream.read(run.ctx, pass, afterId)) {
    batch.push(record);
    lastId = id;
    if (batch.length >= run.commitBatch) {
      await commit(batch, lastId);
      batch = [];
      if (run.signal?.aborted) return true;
    }
  }
  if (batch.length > 0) await commit(batch, lastId);
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
 * Most web apps in one `webApp.id IN` list. Qualys documents no limit on an IN list (docs/qualys-api.md 3.3);
 * this keeps each request small (about 3 KB of ids) on a subscription of thousands of web apps.
 */
const MAX_GROUP_SIZE = 300;
/** Web apps per page of the id listing that makes the groups: the most Qualys returns (docs/qualys-api.md 3.5). */
const ID_LIST_PAGE_SIZE = 1000;

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

type GroupPosition = Required<Pick<Checkpoint, "afterId" | "groups" | "groupsDone" | "groupAfter">>;

/**
 * Read a pass split into groups of web apps (`webApp.id IN group`), `concurrency` groups at a time. Reads run in
 * parallel; commits run one at a time, and each commit's checkpoint holds only progress already committed (plus
 * its own batch), so a crash can make a resumed run re-read a batch, never skip one. Web apps created after the
 * group list was made are caught by the next incremental run (their findings are tested after this run's start).
 */
async function readPartitioned<R>(
  run: PassesRun<R>,
  pass: Pass,
  resume: Checkpoint | undefined,
  commitPosition: (records: R[], position: GroupPosition) => Promise<void>,
): Promise<boolean> {
  const { ctx, concurrency } = run;
  let groups = resume?.groups;
  if (!groups) {
    // The web app list and one count call (which sizes the split: groups of a few pages each at least, so a small
    // subscription is read in a handful of calls rather than one partial page per web app), side by side.
    const listIds = async () => {
      const found: number[] = [];
      for await (const node of ctx.client.was.webApps.search({ pageSize: ID_LIST_PAGE_SIZE })) {
        const id = Number(node.id);
        if (Number.isInteger(id)) found.push(id);
      }
      return found.sort((a, b) => a - b);
    };
    const [ids, findings] = await Promise.all([listIds(), ctx.client.was.findings.count(pass.criteria)]);
    run.expected?.(findings);
    const pages = Math.ceil(findings / ctx.pageSize);
    // Web apps that hold MIN_PAGES_PER_GROUP pages on average (all of them when there are fewer pages).
    const minSize = pages === 0 ? ids.length : Math.ceil((MIN_PAGES_PER_GROUP * ids.length) / pages);
    groups = guidedGroups(ids, concurrency, Math.max(1, minSize));
  }
  const allGroups = groups;
  const groupsDone = new Set(resume?.groupsDone ?? []);
  const groupAfter: Record<string, number> = { ...(resume?.groupAfter ?? {}) };
  let chain: Promise<void> = Promise.resolve();
  /** Commits one at a time, in the order they are asked for. */
  const commit = (records: R[], group: number, lastId: number, finished: boolean): Promise<void> => {
    const next = chain.then(async () => {
      await commitPosition(records, {
        afterId: lastId,
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
  const queue = allGroups.map((_, index) => index).filter((index) => !groupsDone.has(index));
  const order = run.destination.ordered ? new GroupOrder([...queue]) : undefined;
  let interrupted = false;
  let failure: unknown;
  const stop = (error?: unknown) => {
    if (error !== undefined) failure ??= error;
    // Batches still waiting for an earlier group are dropped: not committed, so not in any checkpoint either.
    order?.release();
  };
  let uncommitted = 0;
  // An ordered destination lets the other workers read ahead while they wait for the group before theirs.
  const maxUncommitted = order
    ? Math.max(concurrency, Math.ceil(ORDERED_BUFFER_RECORDS / run.commitBatch))
    : concurrency;
  const pending: Promise<void>[] = [];
  /**
   * Batches are handed to the commit chain without waiting for it, so the next page is already being fetched
   * while this one is written: over a slow link the API calls, not the database, set the pace. When the
   * destination is the slower side, a worker waits for its batch once too many are uncommitted, so batches never
   * pile up in memory and an interruption takes effect within a few pages.
   */
  const enqueue = async (records: R[], group: number, lastId: number, finished: boolean) => {
    uncommitted += 1;
    const committed = (
      order
        ? order.after(group, finished, () => commit(records, group, lastId, finished))
        : commit(records, group, lastId, finished)
    )
      .catch((error: unknown) => stop(error))
      .finally(() => {
        uncommitted -= 1;
      });
    pending.push(committed);
    if (uncommitted > maxUncommitted) await committed;
  };
  const worker = async (): Promise<void> => {
    for (;;) {
      const group = queue.shift();
      if (group === undefined || interrupted || failure !== undefined) return;
      const groupPass: Pass = {
        name: pass.name,
        criteria: [
          ...pass.criteria,
          { field: "webApp.id", operator: "IN", value: (allGroups[group] ?? []).join(",") },
        ],
      };
      let batch: R[] = [];
      let lastId = groupAfter[group] ?? 0;
      for await (const { id, record } of run.stream.read(ctx, groupPass, lastId)) {
        batch.push(record);
        lastId = id;
        if (batch.length >= run.commitBatch) {
          await enqueue(batch, group, lastId, false);
          batch = [];
          if (failure !== undefined) return;
          if (run.signal?.aborted) {
            interrupted = true;
            stop();
            return;
          }
        }
      }
      await enqueue(batch, group, lastId, true);
    }
  };
  await Promise.all(
    Array.from({ length: concurrency }, () => worker().catch((error: unknown) => stop(error))),
  );
  await Promise.all(pending);
  if (failure !== undefined) throw failure;
  return interrupted;
}

/**
 * Holds back the batches of a group until every group before it (in read order) has committed its last batch.
 * `release` lets everything waiting through without committing it (the run is stopping).
 */
class GroupOrder {
  private readonly finishedGates = new Map<
    number,
    { promise: Promise<boolean>; open: (go: boolean) => void }
  >();
  private readonly tails = new Map<number, Promise<boolean>>();
  constructor(private readonly order: readonly number[]) {
    for (const group of order) {
      let open: (go: boolean) => void = () => {};
      const promise = new Promise<boolean>((resolve) => {
        open = resolve;
      });
      this.finishedGates.set(group, { promise, open });
    }
  }

  /** Run `commit` once the group's earlier batches and every earlier group are committed. */
  after(group: number, finished: boolean, commit: () => Promise<void>): Promise<void> {
    const index = this.order.indexOf(group);
    const previous = index > 0 ? this.order[index - 1] : undefined;
    const before =
      this.tails.get(group) ??
      (previous === undefined
        ? Promise.resolve(true)
        : (this.finishedGates.get(previous)?.promise ?? Promise.resolve(true)));
    const result = before.then(async (go) => {
      if (!go) return false;
      await commit();
      return true;
    });
    const settled = result.catch(() => false);
    this.tails.set(group, settled);
    if (finished) void settled.then((go) => this.finishedGates.get(group)?.open(go));
    return result.then(() => undefined);
  }

  release(): void {
    for (const gate of this.finishedGates.values()) gate.open(false);
  }
}

/** One pass of the definitions stream: these QIDs, all of them or only those modified after a time. */
export interface DefinitionsPass {
  qids: readonly number[];
  /** Only definitions the KnowledgeBase changed after this time (`last_modified_after`, docs/qualys-api.md 4.6). */
  modifiedAfter: string | undefined;
}

/**
 * The definitions stream's reader, shared by both destinations: each pass's QIDs in batches of `qidsPerCommit`,
 * and `commit` told the records of a batch, the pass and how many of its QIDs are done.
 */
export async function readDefinitionPasses(
  ctx: StreamContext,
  passes: readonly DefinitionsPass[],
  qidsPerCommit: number,
  commit: (records: DefinitionRecord[], pass: number, qidsDone: number) => Promise<void>,
): Promise<void> {
  for (const [index, { qids, modifiedAfter }] of passes.entries()) {
    for (let start = 0; start < qids.length; start += qidsPerCommit) {
      const batch = qids.slice(start, start + qidsPerCommit);
      const records: DefinitionRecord[] = [];
      for await (const read of readDefinitions(ctx, batch, modifiedAfter)) records.push(...read);
      await commit(records, index, start + batch.length);
    }
  }
}
