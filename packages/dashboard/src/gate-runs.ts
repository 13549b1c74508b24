/**
 * Where the dashboard reads gate runs: the store's gate-run reads (`StoreReader` has them), or a stand-in with the
 * same two methods.
 */

import type { StoreReader } from "@qualys-connector/store";

export type { GateRunFilter, GateRunRow, GateRunSummary } from "@qualys-connector/store";

/** The store's gate-run reads: `listGateRuns` (newest first) and `getGateRun` (with the redacted result file). */
export type GateRunSource = Pick<StoreReader, "listGateRuns" | "getGateRun">;
