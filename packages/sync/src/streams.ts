/**
 * The three WAS streams (Brinqa's Application, Finding and Vulnerability Definition objects), how each is read
 * incrementally, and the registry both destinations run them from.
 */

import type { Criterion } from "@qualys-connector/client";
import {
  type ApplicationRecord,
  type DefinitionRecord,
  type FindingRecord,
  toApplicationRecord,
  toDefinitionRecord,
  toFindingRecord,
} from "@qualys-connector/model";
import type { Stream, StreamContext, SyncFilters } from "./stream.js";

const inList = (field: string, values: readonly (number | string)[]): Criterion => ({
  field,
  operator: "IN",
  value: values.join(","),
});

/** Web apps: `updatedDate` is the cursor (docs/qualys-api.md 3.7); verbose records carry tag names. */
export const webAppsStream: Stream<ApplicationRecord> = {
  object: "webapps",
  cursorField: "updatedDate",
  passes(ctx) {
    const criteria: Criterion[] = [];
    const since = later(ctx.since, ctx.filters.updatedSince);
    if (since) criteria.push({ field: "updatedDate", operator: "GREATER", value: since });
    const ids = ctx.filters.ids ?? ctx.filters.webAppIds;
    if (ids && ids.length > 0) criteria.push(inList("id", ids));
    return [{ name: "updated", criteria }];
  },
  async *read(ctx, pass, afterId) {
    for await (const node of ctx.client.was.webApps.search({
      criteria: [...pass.criteria, { field: "id", operator: "GREATER", value: String(afterId) }],
      verbose: true,
      pageSize: ctx.pageSize,
    })) {
      const record = toApplicationRecord(node);
      yield { id: record.id, record };
    }
  },
  write: (store, records, ctx) => store.upsertApplications(records, ctx),
};

/**
 * Findings. Qualys has no documented `updatedDate` filter on findings (docs/qualys-api.md 3.9), so an
 * incremental run reads two passes: findings tested since the cursor (every scan sets `lastTestedDate` on
 * each finding it tests, which catches new, fixed, reopened and re-detected findings) and findings ignored
 * since the cursor (ignoring happens in the portal, without a scan). A finding un-ignored in the portal is
 * caught by the next `--full` run.
 */
export const findingsStream: Stream<FindingRecord> = {
  object: "findings",
  cursorField: "lastTestedDate",
  passes(ctx) {
    const base: Criterion[] = [];
    const f = ctx.filters;
    if (f.lastDetectedSince)
      base.push({ field: "lastDetectedDate", operator: "GREATER", value: f.lastDetectedSince });
    if (f.severity && f.severity.length > 0) base.push(inList("severity", f.severity));
    if (f.status && f.status.length > 0) base.push(inList("status", f.status));
    if (f.webAppIds && f.webAppIds.length > 0) base.push(inList("webApp.id", f.webAppIds));
    // A first or full run reads every finding: worth spreading over the concurrent calls (sync.ts).
    if (!ctx.since)
      return [{ name: "all", criteria: base, partitionable: !(f.webAppIds && f.webAppIds.length > 0) }];
    return [
      {
        name: "tested",
        criteria: [...base, { field: "lastTestedDate", operator: "GREATER", value: ctx.since }],
      },
      {
        name: "ignored",
        criteria: [...base, { field: "ignoredDate", operator: "GREATER", value: ctx.since }],
      },
    ];
  },
  async *read(ctx, pass, afterId) {
    for await (const node of ctx.client.was.findings.search({
      criteria: [...pass.criteria, { field: "id", operator: "GREATER", value: String(afterId) }],
      // Verbose: CWE, OWASP, WASC and the request/response evidence (docs/qualys-api.md 3.9).
      verbose: true,
      pageSize: ctx.pageSize,
    })) {
      const record = toFindingRecord(node, ctx.labels);
      yield { id: record.id, record };
    }
  },
  // A finding an import stored first from a report record without a uniqueId is the same row when the API brings it.
  write: (store, records, ctx) =>
    store.upsertFindings(records, { ...ctx, matchByFingerprint: ctx.matchByFingerprint ?? "keyed-rows" }),
};

/** QIDs per KnowledgeBase call: POST batches of at most 500 (as Qualys' own WAS connector does). */
export const KB_BATCH = 500;

/**
 * Vulnerability definitions for the QIDs the stored findings reference: the missing ones in full, then, on later
 * runs, the known ones modified since the cursor (`last_modified_after`, docs/qualys-api.md 4.6). Read by
 * QID, not by a paged search, so it has its own reader in the engine.
 */
export async function* readDefinitions(
  ctx: StreamContext,
  qids: readonly number[],
  modifiedAfter: string | undefined,
): AsyncGenerator<DefinitionRecord[]> {
  for (let i = 0; i < qids.length; i += KB_BATCH) {
    const batch: DefinitionRecord[] = [];
    for await (const vuln of ctx.client.kb.vulns({
      ids: qids.slice(i, i + KB_BATCH),
      details: "All",
      batchSize: KB_BATCH,
      ...(modifiedAfter ? { lastModifiedAfter: modifiedAfter } : {}),
    }))
      batch.push(toDefinitionRecord(vuln));
    yield batch;
  }
}

/** The later of two optional UTC times (a user's filter never widens an incremental run). */
function later(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

/** A registered stream: its cursor, the filters that narrow it, what it needs read first, and its reader. */
export interface RegisteredStream {
  /** The field incremental runs filter on, as Qualys names it (the Airbyte catalog's cursor field too). */
  cursorField: string;
  /** The `SyncFilters` keys that narrow this stream. */
  filters: readonly (keyof SyncFilters)[];
  /** Streams whose records this one is derived from: they run first. */
  dependsOn: readonly StreamName[];
  /** A paged search read by the engine; absent for definitions, read by QID (`readDefinitions`). */
  paged?: Stream<ApplicationRecord> | Stream<FindingRecord>;
}

export type StreamName = "webapps" | "findings" | "definitions";

/** Every stream, in the order a run reads them (each after the ones it depends on). */
export const STREAM_REGISTRY: Readonly<Record<StreamName, RegisteredStream>> = {
  webapps: {
    cursorField: "updatedDate",
    filters: ["updatedSince", "ids", "webAppIds"],
    dependsOn: [],
    paged: webAppsStream,
  },
  findings: {
    cursorField: "lastTestedDate",
    filters: ["lastDetectedSince", "severity", "status", "webAppIds"],
    dependsOn: [],
    paged: findingsStream,
  },
  // The QIDs to read are those the findings reference (stored ones, or the ones an Airbyte read just emitted).
  definitions: { cursorField: "lastServiceModificationDate", filters: ["ids"], dependsOn: ["findings"] },
};

/** The registry's streams in dependency order. */
export const STREAM_ORDER: readonly StreamName[] = (() => {
  const order: StreamName[] = [];
  const visit = (name: StreamName) => {
    if (order.includes(name)) return;
    for (const dependency of STREAM_REGISTRY[name].dependsOn) visit(dependency);
    order.push(name);
  };
  for (const name of Object.keys(STREAM_REGISTRY) as StreamName[]) visit(name);
  return order;
})();
