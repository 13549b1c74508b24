/**
 * Where an interrupted read of a paged stream resumes: one shape for both destinations (the store keeps it in the
 * stream's state row, the Airbyte source in the `checkpoint` of its STATE message).
 */

export interface Checkpoint {
  /** The store's kind of run (a checkpoint of another kind is not resumed); the Airbyte source leaves it out. */
  mode?: "incremental" | "full" | undefined;
  /** The cursor the interrupted run read from (null: everything). */
  since: string | null;
  /** Its start, so the cursor saved at the end covers the whole logical run. */
  runStart: number;
  /** The pass it was in. */
  pass: string;
  /** The last id committed in that pass (in a partitioned pass: the last id of the last page committed). */
  afterId: number;
  /** Passes already read in full (a resumed run skips them). */
  done: string[];
  /** A partitioned pass: its groups of web app ids, the groups done, and the last committed id of the others. */
  groups?: number[][] | undefined;
  groupsDone?: number[] | undefined;
  groupAfter?: Record<string, number> | undefined;
}

const isObject = (value: unknown): value is { [key: string]: unknown } =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value);

/**
 * Read a stored checkpoint. `undefined` when there is none; a `problem` when one is there but unusable (the store
 * starts over, the Airbyte source reports it as bad state).
 */
export function parseCheckpoint(raw: unknown): { checkpoint?: Checkpoint; problem?: string } {
  if (raw === undefined || raw === null) return {};
  if (
    !isObject(raw) ||
    typeof raw.runStart !== "number" ||
    typeof raw.pass !== "string" ||
    typeof raw.afterId !== "number"
  )
    return { problem: "checkpoint needs runStart, pass and afterId" };
  const groups =
    Array.isArray(raw.groups) && raw.groups.every((g) => Array.isArray(g) && g.every(isId))
      ? (raw.groups as number[][])
      : undefined;
  const groupsDone =
    Array.isArray(raw.groupsDone) && raw.groupsDone.every(isId) ? (raw.groupsDone as number[]) : undefined;
  const groupAfter = isObject(raw.groupAfter)
    ? Object.fromEntries(
        Object.entries(raw.groupAfter).filter((entry): entry is [string, number] => isId(entry[1])),
      )
    : undefined;
  return {
    checkpoint: {
      ...(raw.mode === "full" || raw.mode === "incremental" ? { mode: raw.mode } : {}),
      since: typeof raw.since === "string" ? raw.since : null,
      runStart: raw.runStart,
      pass: raw.pass,
      afterId: raw.afterId,
      done: Array.isArray(raw.done) ? raw.done.filter((d): d is string => typeof d === "string") : [],
      ...(groups ? { groups, groupsDone: groupsDone ?? [], groupAfter: groupAfter ?? {} } : {}),
    },
  };
}
