/**
 * Gate runs: one row per verdict of `scan was`, `scan vm` or `evaluate` run with `--db`, holding the run's
 * summary columns (for listing) and its complete redacted result file (for showing one run). The queries are the
 * same on SQLite and PostgreSQL; `KyselyStore` delegates to them.
 */

import type { Kysely } from "kysely";
import { storable } from "./kysely-store.js";
import type { Database, GateRunsTable } from "./schema.js";

export type GateRunCommand = "scan was" | "scan vm" | "evaluate";
export type GateRunKind = "was" | "vm";
/** The gate's verdict (`Verdict` of @qualys-connector/gate; the store does not depend on the gate). */
export type GateRunVerdict = "passed" | "failed" | "incomplete" | "error";

/** What `recordGateRun` stores: one verdict of a gate command. */
export interface GateRunInput {
  /** The subscription the gate ran against; undefined for an offline `evaluate` that names none. */
  subscriptionId: number | undefined;
  command: GateRunCommand;
  kind: GateRunKind;
  /** What was gated: the web app id (WAS), or the host IPs / EC2 instances the VM gate scanned. */
  targetKey: string;
  targetName: string | undefined;
  /** The scan's id (WAS scan id, VM scan reference or id), when the run reached a scan. */
  scanId: string | undefined;
  /** VM: the scan reference (`scan/1764590400.12345`). */
  scanRef: string | undefined;
  verdict: GateRunVerdict;
  exitCode: number;
  /** ISO times: when the command started and when its verdict was reached. */
  startedAt: string;
  finishedAt: string;
  /** ISO time of the write. */
  recordedAt: string;
  /** Counted vulnerabilities per severity, `{ "1": 0, …, "5": 2 }`. */
  counts: Record<string, number>;
  findingCount: number;
  /** The complete result file, redacted: `JSON.stringify(toResultFile(redactGateResult(result)))`. */
  resultJson: string;
}

/** A recorded gate run without its result file, as listed. */
export interface GateRunSummary extends Omit<GateRunInput, "resultJson"> {
  id: number;
}

/** One recorded gate run with its result file. */
export interface GateRunRow extends GateRunSummary {
  resultJson: string;
}

/** Which recorded runs `listGateRuns` returns: newest first, `limit` of them, older than `beforeId` when given. */
export interface GateRunFilter {
  kind?: GateRunKind;
  targetKey?: string;
  subscriptionId?: number;
  /** Keyset paging: only runs with an id below this (the last id of the previous page). */
  beforeId?: number;
  limit: number;
}

const SUMMARY_COLUMNS = [
  "id",
  "subscription_id",
  "command",
  "kind",
  "target_key",
  "target_name",
  "scan_id",
  "scan_ref",
  "verdict",
  "exit_code",
  "started_at",
  "finished_at",
  "recorded_at",
  "counts",
  "finding_count",
] as const;

type SummaryColumns = Pick<GateRunsTable, (typeof SUMMARY_COLUMNS)[number]>;

const text = (value: string | undefined): string | null => storable(value) as string | null;

/** Insert one gate run; returns its id. */
export async function recordGateRun(db: Kysely<Database>, input: GateRunInput): Promise<number> {
  const row = await db
    .insertInto("gate_runs")
    .values({
      subscription_id: input.subscriptionId ?? null,
      command: input.command,
      kind: input.kind,
      target_key: text(input.targetKey) ?? "",
      target_name: text(input.targetName),
      scan_id: text(input.scanId),
      scan_ref: text(input.scanRef),
      verdict: input.verdict,
      exit_code: input.exitCode,
      started_at: input.startedAt,
      finished_at: input.finishedAt,
      recorded_at: input.recordedAt,
      counts: JSON.stringify(input.counts),
      finding_count: input.findingCount,
      result_json: text(input.resultJson) ?? "",
    } as never)
    .returning("id")
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Recorded gate runs matching the filter, newest (highest id) first. */
export async function listGateRuns(db: Kysely<Database>, filter: GateRunFilter): Promise<GateRunSummary[]> {
  let query = db.selectFrom("gate_runs").select(SUMMARY_COLUMNS);
  if (filter.kind !== undefined) query = query.where("kind", "=", filter.kind);
  if (filter.targetKey !== undefined) query = query.where("target_key", "=", filter.targetKey);
  if (filter.subscriptionId !== undefined) query = query.where("subscription_id", "=", filter.subscriptionId);
  if (filter.beforeId !== undefined) query = query.where("id", "<", filter.beforeId);
  const rows = await query
    .orderBy("id", "desc")
    .limit(Math.max(0, Math.floor(filter.limit)))
    .execute();
  return rows.map(gateRunSummary);
}

/** One recorded gate run with its result file, or undefined when there is none with this id. */
export async function getGateRun(db: Kysely<Database>, id: number): Promise<GateRunRow | undefined> {
  const row = await db.selectFrom("gate_runs").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? { ...gateRunSummary(row), resultJson: row.result_json } : undefined;
}

function gateRunSummary(row: SummaryColumns): GateRunSummary {
  return {
    id: Number(row.id),
    subscriptionId: row.subscription_id === null ? undefined : Number(row.subscription_id),
    command: row.command as GateRunCommand,
    kind: row.kind as GateRunKind,
    targetKey: row.target_key,
    targetName: row.target_name ?? undefined,
    scanId: row.scan_id ?? undefined,
    scanRef: row.scan_ref ?? undefined,
    verdict: row.verdict as GateRunVerdict,
    exitCode: Number(row.exit_code),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    recordedAt: row.recorded_at,
    counts: JSON.parse(row.counts) as Record<string, number>,
    findingCount: Number(row.finding_count),
  };
}
