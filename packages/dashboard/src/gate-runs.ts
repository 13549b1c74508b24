/**
 * Recorded gate runs, as the store gives them (`listGateRuns`, `getGateRun`): the shape the dashboard reads. A
 * store without gate runs (older than the gate-runs migration) simply has none to show.
 */

/** One recorded gate run, without its result. */
export interface GateRunSummary {
  id: number;
  subscriptionId: number | undefined;
  command: string;
  kind: "was" | "vm";
  targetKey: string;
  targetName: string | undefined;
  scanId: string | undefined;
  scanRef: string | undefined;
  verdict: string;
  exitCode: number;
  startedAt: string | undefined;
  finishedAt: string | undefined;
  recordedAt: string;
  counts: Record<string, number>;
  findingCount: number;
}

/** A gate run with its result: a redacted gate result file (parse it with the gate's `fromResultFile`). */
export interface GateRunRow extends GateRunSummary {
  resultJson: string;
}

export interface GateRunFilter {
  kind?: "was" | "vm" | undefined;
  targetKey?: string | undefined;
  subscriptionId?: number | undefined;
  beforeId?: number | undefined;
  limit: number;
}

/** Where gate runs come from: the store's gate-run reads. */
export interface GateRunSource {
  /** Newest first. */
  listGateRuns(filter: GateRunFilter): Promise<GateRunSummary[]>;
  getGateRun(id: number): Promise<GateRunRow | undefined>;
}
