/**
 * The engine's partitioned read with a fake stream (no API): an ordered destination gets the groups' batches in
 * group order even when a later group is read first, an unordered one as they are read, and a failing group ends
 * the read with its error instead of leaving batches waiting for ever.
 */

import type { QualysClient } from "@qualys-connector/client";
import { describe, expect, it } from "vitest";
import type { Checkpoint } from "../src/checkpoint.js";
import { readPasses } from "../src/engine.js";
import type { Stream } from "../src/stream.js";

interface Row {
  id: number;
}

/** Three groups of one web app each; web app N holds ids N*10+1..N*10+3. */
const RESUME: Checkpoint = {
  since: null,
  runStart: 0,
  pass: "all",
  afterId: 0,
  done: [],
  groups: [[1], [2], [3]],
  groupsDone: [],
  groupAfter: {},
};

function fakeStream(options: { slowWebApp?: number; failingWebApp?: number }): Stream<Row> {
  let release: () => void = () => {};
  const othersDone = new Promise<void>((resolve) => {
    release = resolve;
  });
  let finished = 0;
  return {
    object: "findings",
    cursorField: "lastTestedDate",
    passes: () => [{ name: "all", criteria: [], partitionable: true }],
    async *read(_ctx, pass, afterId) {
      const webApp = Number(pass.criteria.find((c) => c.field === "webApp.id")?.value);
      // The slow web app answers only once both others were read in full.
      if (webApp === options.slowWebApp) await othersDone;
      for (let id = webApp * 10 + 1; id <= webApp * 10 + 3; id++) {
        if (id <= afterId) continue;
        if (webApp === options.failingWebApp && id === webApp * 10 + 2)
          throw new Error(`web app ${webApp} failed`);
        yield { id, record: { id } };
      }
      finished += 1;
      if (finished === 2) release();
    },
    write: async () => ({ added: 0, updated: 0, unchanged: 0 }),
  };
}

/** Read the three groups two at a time, collecting what the destination is given. */
function read(
  stream: Stream<Row>,
  ordered: boolean,
  ids: number[] = [],
  checkpoints: Checkpoint[] = [],
): Promise<{ ids: number[]; checkpoints: Checkpoint[] }> {
  return readPasses({
    stream,
    ctx: { client: {} as QualysClient, filters: {}, since: undefined, pageSize: 2 },
    runStart: 0,
    resume: RESUME,
    concurrency: 2,
    commitBatch: 2,
    destination: {
      ordered,
      commit: async (records, checkpoint) => {
        ids.push(...records.map((r) => r.id));
        checkpoints.push(checkpoint);
      },
    },
  }).then(() => ({ ids, checkpoints }));
}

describe("readPasses, partitioned", () => {
  it("an ordered destination gets group after group, though the first group is read last", async () => {
    const { ids, checkpoints } = await read(fakeStream({ slowWebApp: 1 }), true);
    expect(ids).toEqual([11, 12, 13, 21, 22, 23, 31, 32, 33]);
    // Each checkpoint holds only what was committed: groups are done in order.
    for (const { groupsDone = [] } of checkpoints)
      expect(groupsDone).toEqual(Array.from({ length: groupsDone.length }, (_, i) => i));
    expect(checkpoints.at(-1)?.groupsDone).toEqual([0, 1, 2]);
  });

  it("an unordered destination gets the batches as they are read", async () => {
    const { ids } = await read(fakeStream({ slowWebApp: 1 }), false);
    expect(ids.slice(-3)).toEqual([11, 12, 13]);
    expect([...ids].sort((a, b) => a - b)).toEqual([11, 12, 13, 21, 22, 23, 31, 32, 33]);
  });

  it("a failing group ends an ordered read with its error; nothing after it is committed", async () => {
    const committed: number[] = [];
    await expect(read(fakeStream({ failingWebApp: 1 }), true, committed)).rejects.toThrow("web app 1 failed");
    // Group 0 never completed, so the batches of the later groups were dropped, not delivered out of order.
    expect(committed.every((id) => id < 20)).toBe(true);
  });
});
