import { expect, it } from "vitest";
import type { GateRunInput, Store } from "../src/index.js";
import { describeEachDatabase } from "./databases.js";

/** Minute `n` of a fixed day. */
const at = (minute: number) => new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString();

function gateRun(n: number, fields: Partial<GateRunInput> = {}): GateRunInput {
  return {
    subscriptionId: undefined,
    command: "scan was",
    kind: "was",
    targetKey: "1001",
    targetName: `Web app ${n}`,
    scanId: String(9000 + n),
    scanRef: undefined,
    verdict: "passed",
    exitCode: 0,
    startedAt: at(n),
    finishedAt: at(n + 1),
    recordedAt: at(n + 1),
    counts: { "1": 0, "2": 1, "3": 0, "4": 0, "5": n },
    findingCount: n + 1,
    resultJson: JSON.stringify({ schemaVersion: 1, verdict: "passed", run: n }),
    ...fields,
  };
}

async function record(store: Store, inputs: GateRunInput[]): Promise<number[]> {
  const ids: number[] = [];
  for (const input of inputs) ids.push(await store.recordGateRun(input));
  return ids;
}

describeEachDatabase((db) => {
  it("records a gate run and reads every field back", async () => {
    const store = await db.open();
    await store.migrate();
    const sub = await store.subscription({ apiUrl: "https://qualysapi.qualys.com", username: "alice" });
    const input = gateRun(3, {
      subscriptionId: sub,
      command: "scan vm",
      kind: "vm",
      targetKey: "10.0.0.1,10.0.0.2",
      targetName: 'Ünïcødé <script>alert("x")</script>',
      scanRef: "scan/1764590400.12345",
      verdict: "incomplete",
      exitCode: 2,
      resultJson: JSON.stringify({ evidence: "a\u0000b", name: "日本語" }),
    });
    const id = await store.recordGateRun(input);
    expect(id).toBeGreaterThan(0);
    const { resultJson, ...summary } = input;
    expect(await store.getGateRun(id)).toEqual({ ...summary, id, resultJson });
    expect(JSON.parse((await store.getGateRun(id))?.resultJson ?? "{}")).toEqual({
      evidence: "a\u0000b",
      name: "日本語",
    });
    expect(await store.listGateRuns({ limit: 10 })).toEqual([{ ...summary, id }]);
    expect(await store.getGateRun(id + 1)).toBeUndefined();
  });

  it("keeps a run without a subscription, scan or target name (an offline evaluate)", async () => {
    const store = await db.open();
    await store.migrate();
    const input = gateRun(1, {
      command: "evaluate",
      targetName: undefined,
      scanId: undefined,
      verdict: "error",
      exitCode: 3,
    });
    const id = await store.recordGateRun(input);
    const row = await store.getGateRun(id);
    expect(row).toMatchObject({ subscriptionId: undefined, scanId: undefined, targetName: undefined });
    expect(row).toMatchObject({ command: "evaluate", verdict: "error", exitCode: 3 });
  });

  it("lists newest first, filtered by kind, target and subscription, paged by id", async () => {
    const store = await db.open();
    await store.migrate();
    const alice = await store.subscription({ apiUrl: "https://qualysapi.qualys.com", username: "alice" });
    const bob = await store.subscription({ apiUrl: "https://qualysapi.qualys.com", username: "bob" });
    const ids = await record(store, [
      gateRun(1, { subscriptionId: alice }),
      gateRun(2, { subscriptionId: alice, targetKey: "1002" }),
      gateRun(3, { subscriptionId: bob, kind: "vm", command: "scan vm", targetKey: "10.0.0.1" }),
      gateRun(4, { subscriptionId: alice }),
      gateRun(5, { subscriptionId: undefined, command: "evaluate" }),
    ]);
    const listed = async (filter: Parameters<Store["listGateRuns"]>[0]) =>
      (await store.listGateRuns(filter)).map((run) => run.id);
    expect(new Set(ids).size).toBe(5);
    const [one = 0, two = 0, three = 0, four = 0, five = 0] = ids;
    expect(await listed({ limit: 10 })).toEqual([five, four, three, two, one]);
    expect(await listed({ limit: 2 })).toEqual([five, four]);
    expect(await listed({ limit: 2, beforeId: four })).toEqual([three, two]);
    expect(await listed({ limit: 2, beforeId: two })).toEqual([one]);
    expect(await listed({ limit: 10, targetKey: "1001" })).toEqual([five, four, one]);
    expect(await listed({ limit: 10, kind: "vm" })).toEqual([three]);
    expect(await listed({ limit: 10, subscriptionId: alice })).toEqual([four, two, one]);
    expect(await listed({ limit: 10, subscriptionId: alice, targetKey: "1001", beforeId: four })).toEqual([
      one,
    ]);
    // A summary carries no result file.
    expect((await store.listGateRuns({ limit: 1 }))[0]).not.toHaveProperty("resultJson");
  });

  it("records inside a transaction and rolls back with it", async () => {
    const store = await db.open();
    await store.migrate();
    await expect(
      store.transaction(async (trx) => {
        await trx.recordGateRun(gateRun(1));
        throw new Error("abandoned");
      }),
    ).rejects.toThrow("abandoned");
    expect(await store.listGateRuns({ limit: 10 })).toEqual([]);
    await store.transaction((trx) => trx.recordGateRun(gateRun(2)));
    expect(await store.listGateRuns({ limit: 10 })).toHaveLength(1);
  });

  it("refuses a subscription id the store does not hold", async () => {
    const store = await db.open();
    await store.migrate();
    await expect(store.recordGateRun(gateRun(1, { subscriptionId: 4242 }))).rejects.toThrow();
  });
});
