/**
 * `--db` of `scan was`, `scan vm` and `evaluate`: record each verdict in a store (its `gate_runs` table), so the
 * dashboard can list runs by target. The store is opened and migrated before any scan is launched, so a bad
 * location fails at once (exit 3) with nothing launched. A verdict that cannot be recorded still stands: its exit
 * code is kept and one error line names the store problem (docs/gate.md, "Recording runs in a store").
 */

import { type GateResult, toResultFile } from "@qualys-connector/gate";
import type { GateRunCommand, GateRunInput, SubscriptionKey } from "@qualys-connector/store";
import type { Command } from "commander";
import { logErrorLine, logLine } from "../log.js";
import { DEFAULT_DB, openStoreFrom } from "./sync.js";

/**
 * The `--db` option of the gate commands. Without it no database is touched; given alone it means QUALYS_DB or
 * the default location, as sync's `--db` does when absent.
 */
export function addGateDbOption(command: Command): Command {
  return command.option(
    "--db [location]",
    `record the run in a store: sqlite:PATH or postgres://… (given alone: env QUALYS_DB, else ${DEFAULT_DB})`,
  );
}

/** How a gate command records its verdict: the open store and what the result does not say itself. */
export interface GateRecorder {
  /** Record the verdict (the result already redacted for output); never throws, says what failed. */
  record(result: GateResult): Promise<void>;
  /** The subscription the run used, once the client knows its API URL (scan commands). */
  setSubscription(key: SubscriptionKey): void;
  close(): Promise<void>;
}

export interface GateRecorderContext {
  command: GateRunCommand;
  kind: "was" | "vm";
  /** What the flags name as the target, for a result that reached no scan (web app, IPs, EC2 instances). */
  targetKey: string;
}

/**
 * Open and migrate the store `--db` names, before anything else happens; undefined without `--db` (no database is
 * touched). A location that cannot be used is a UsageError (exit 3), as for sync.
 */
export async function openGateRecorder(
  db: string | boolean | undefined,
  context: GateRecorderContext,
): Promise<GateRecorder | undefined> {
  if (db === undefined || db === false) return undefined;
  const store = await openStoreFrom(db === true ? undefined : db);
  const startedAt = new Date().toISOString();
  let subscription: SubscriptionKey | undefined;
  return {
    setSubscription(key) {
      subscription = key;
    },
    async record(result) {
      try {
        const subscriptionId = subscription ? await store.subscription(subscription) : undefined;
        const id = await store.recordGateRun(gateRunInput(result, context, { subscriptionId, startedAt }));
        logLine(`recorded gate run ${id} in ${store.location}`);
      } catch (error) {
        // The verdict was reached and its outputs written: it stands. The message names the store (its
        // location has no password) and is masked like every log line.
        logErrorLine(
          `could not record the run in ${store.location} (${error instanceof Error ? error.message : String(error)}); the verdict stands`,
        );
      }
    },
    close: () => store.close().catch(() => undefined),
  };
}

/** The row of one verdict; `result` must already be redacted (it is stored whole as `result_json`). */
export function gateRunInput(
  result: GateResult,
  context: GateRecorderContext,
  run: { subscriptionId: number | undefined; startedAt: string },
): GateRunInput {
  const scan = result.scan;
  const counts: Record<string, number> = {};
  result.severityCounts.counted.forEach((count, index) => {
    counts[String(index + 1)] = count;
  });
  return {
    subscriptionId: run.subscriptionId,
    command: context.command,
    kind: scan?.kind ?? context.kind,
    targetKey: scan?.target.id || context.targetKey,
    targetName: scan?.target.name,
    scanId: scan?.id || undefined,
    scanRef: scan?.reference,
    verdict: result.verdict,
    exitCode: result.exitCode,
    startedAt: run.startedAt,
    // The verdict's time: the result is made when the verdict is reached.
    finishedAt: result.generatedAt,
    recordedAt: new Date().toISOString(),
    counts,
    findingCount: result.findings.length,
    resultJson: JSON.stringify(toResultFile(result)),
  };
}
