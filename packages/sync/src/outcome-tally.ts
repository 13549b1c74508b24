/**
 * Counting what a run did to its records: each record once per run, however often the run writes it (a sync's
 * tested and ignored passes can both return a finding; a report can name a finding twice). A record unchanged at
 * its first write and changed at a later one counts as updated (or added).
 */

import type { UpsertCounts, UpsertOutcome } from "@qualys-connector/store";

/** A tally adding into `counts`: call it with each outcome a committed write reported. */
export function outcomeTally(counts: UpsertCounts): (uid: string, outcome: UpsertOutcome) => void {
  const counted = new Map<string, UpsertOutcome>();
  return (uid, outcome) => {
    const before = counted.get(uid);
    if (before === undefined) {
      counted.set(uid, outcome);
      counts[outcome] += 1;
    } else if (before === "unchanged" && outcome !== "unchanged") {
      counted.set(uid, outcome);
      counts.unchanged -= 1;
      counts[outcome] += 1;
    }
  };
}
