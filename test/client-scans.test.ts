/**
 * Scan endpoints of the client against the simulator: WAS launch, status, download; VM launch, state, fetch;
 * EC2 connector runs; and a launch whose answer is lost is not launched twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, createQualysClient, int, toWebAppSummary } from "../packages/client/src/index.js";
import { type RunningSimulator, startSimulator } from "../packages/simulator/src/index.js";

const auth = { kind: "session" as const, username: "sim_user", password: "sim-password" };
const fastClock = {
  now: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 20))),
};

describe("client scan endpoints", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      webapps: 2,
      findingsPerWebapp: 3,
      hosts: 1,
      kbSize: 300,
      scanDurationMs: 200,
      connectorRunMs: 100,
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  async function webAppId(client: ReturnType<typeof createQualysClient>, name: string): Promise<number> {
    for await (const w of client.was.webApps.search({
      criteria: [{ field: "name", operator: "EQUALS", value: name }],
    })) {
      return toWebAppSummary(w).id;
    }
    throw new Error(`no web app ${name}`);
  }

  it("launches a WAS scan, follows it to FINISHED and downloads its results", async () => {
    const client = createQualysClient({ apiUrl: sim.url, auth });
    const id = await client.was.scan.launch({
      name: `gate_${Date.now()}`,
      type: "VULNERABILITY",
      webAppId: await webAppId(client, "scenario-vulnerable"),
      authRecord: "default",
      scanner: { type: "EXTERNAL" },
    });
    let status = await client.was.scan.status(id);
    for (let i = 0; i < 40 && !["FINISHED", "ERROR", "CANCELED"].includes(status.status); i++) {
      await new Promise((r) => setTimeout(r, 25));
      status = await client.was.scan.status(id);
    }
    expect(status).toMatchObject({ status: "FINISHED", resultsStatus: "FINISHED" });
    const results = await client.was.scan.download(id);
    expect(int(at(results, "stats.global.nbVulnsLevel5"))).toBeGreaterThan(0);
    await client.close();
  });

  it("does not launch twice when the launch answer is lost", async () => {
    const client = createQualysClient({ apiUrl: sim.url, auth, clock: fastClock });
    const target = await webAppId(client, "scenario-clean");
    const name = `lost_answer_${Date.now()}`;
    // The next call's answer is cut off after the scan was created (a truncate fault runs the call).
    await fetch(`${sim.url}/__sim/faults`, {
      method: "POST",
      body: JSON.stringify({ rate: 1, kinds: ["truncate"] }),
    });
    const launching = client.was.scan.launch({
      name,
      type: "VULNERABILITY",
      webAppId: target,
      authRecord: "none",
      scanner: { type: "EXTERNAL" },
    });
    await new Promise((r) => setTimeout(r, 50));
    await fetch(`${sim.url}/__sim/faults`, { method: "POST", body: JSON.stringify({ rate: 0 }) });
    const id = await launching;
    const found: number[] = [];
    for await (const s of client.was.scans.search({
      criteria: [{ field: "name", operator: "EQUALS", value: name }],
    }))
      found.push(Number(s.id));
    expect(found).toEqual([id]);
    // The launch endpoint was called exactly once for this name: the lost answer was recovered by a search.
    const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as {
      byEndpoint: Record<string, Record<string, number>>;
    };
    expect(stats.byEndpoint["POST /qps/rest/3.0/launch/was/wasscan"]).toEqual({ "200": 2 });
    await client.close();
  });

  it("launches a VM scan with session login, fetches json_extended, logs out", async () => {
    const client = createQualysClient({ apiUrl: sim.url, auth });
    const ref = await client.vm.scans.launch(
      { scan_title: `vm_${Date.now()}`, ip: "10.250.0.2" },
      `${new Date(Date.now() - 60_000).toISOString().slice(0, 19)}Z`,
    );
    let state = await client.vm.scans.state(ref);
    for (let i = 0; i < 40 && state && !["Finished", "Error", "Canceled"].includes(state.state); i++) {
      await new Promise((r) => setTimeout(r, 25));
      state = await client.vm.scans.state(ref);
    }
    expect(state?.state).toBe("Finished");
    // The scan list names what the scan targets and when it was launched (ISO 8601, UTC).
    expect(state?.target).toBe("10.250.0.2");
    expect(state?.launchDatetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const rows = await client.vm.scans.fetch(ref);
    expect(rows.length).toBeGreaterThan(3);
    await client.close();
    // After logout the session is gone: the same cookie is refused.
    const statsAfter = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as {
      byEndpoint: Record<string, Record<string, number>>;
    };
    expect(statsAfter.byEndpoint["POST /api/2.0/fo/session"]?.["200"]).toBeGreaterThanOrEqual(2);
  });

  it("runs EC2 connectors to their end state", async () => {
    const client = createQualysClient({ apiUrl: sim.url, auth });
    const connectors: { id: number; name: string }[] = [];
    for await (const c of client.am.awsConnectors.search())
      connectors.push({ id: Number(c.id), name: String(c.name) });
    const endState = async (name: string) => {
      const id = connectors.find((c) => c.name === name)?.id ?? 0;
      let state = await client.am.connectors.run(id);
      for (let i = 0; i < 40 && state && ["QUEUED", "RUNNING", "PROCESSING"].includes(state); i++) {
        await new Promise((r) => setTimeout(r, 20));
        state = await client.am.connectors.state(id);
      }
      return state;
    };
    expect(await endState("scenario-ec2")).toBe("FINISHED_SUCCESS");
    expect(await endState("scenario-ec2-disabled")).toBe("DISABLED");
    expect(await endState("scenario-ec2-error")).toBe("FINISHED_ERRORS");
  });
});
