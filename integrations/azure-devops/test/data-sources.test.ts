import { createQualysClient, type QualysClient } from "@qualys-connector/client";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bindingOf,
  endpointDataSources,
  type PickListEntry,
  readJson,
  runDataSource,
} from "./data-source.js";

let sim: RunningSimulator;
let client: QualysClient;
const as = (username: string) => ({ url: sim.url, username, password: sim.credentials.password });
const sorted = (entries: PickListEntry[]) =>
  [...entries].sort((a, b) => a.Value.localeCompare(b.Value, "en", { numeric: true }));

beforeAll(async () => {
  sim = await startSimulator({ webapps: 4, findingsPerWebapp: 2, hosts: 2, kbSize: 200 });
  client = createQualysClient({ apiUrl: sim.url, auth: { kind: "basic", ...sim.credentials } });
});
afterAll(async () => {
  await client.close();
  await sim.close();
});

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("the service connection's data sources, run as the server runs them", () => {
  it("every binding of both tasks names a data source of the endpoint type, and every data source is bound", () => {
    const names = endpointDataSources().map((s) => s.name);
    const bound = ["QualysWasScan", "QualysVmScan"].flatMap(
      (task) =>
        readJson<{ dataSourceBindings: { dataSourceName: string }[] }>(`tasks/${task}/task.json`)
          .dataSourceBindings,
    );
    expect(bound.map((b) => b.dataSourceName).sort()).toEqual([...names].sort());
  });

  it("web applications: each web app's name shown and its id stored, all of them", async () => {
    const list = await runDataSource(bindingOf("QualysWasScan", "webApp"), as(sim.credentials.username));
    const truth = await all(client.was.webApps.list());
    expect(truth.length).toBeGreaterThan(4);
    expect(sorted(list)).toEqual(sorted(truth.map((w) => ({ Value: String(w.id), DisplayValue: w.name }))));
    expect(list).toContainEqual({
      Value: expect.stringMatching(/^\d+$/),
      DisplayValue: "scenario-vulnerable",
    });
  });

  it("authentication records and WAS option profiles: names shown, ids stored", async () => {
    const records = await runDataSource(
      bindingOf("QualysWasScan", "authRecordId"),
      as(sim.credentials.username),
    );
    const recordTruth = await all(client.was.authRecords.list());
    expect(recordTruth.length).toBeGreaterThan(0);
    expect(sorted(records)).toEqual(
      sorted(recordTruth.map((r) => ({ Value: String(r.id), DisplayValue: String(r.name) }))),
    );
    const profiles = await runDataSource(
      bindingOf("QualysWasScan", "optionProfileId"),
      as(sim.credentials.username),
    );
    const profileTruth = await all(client.was.optionProfiles.list());
    expect(profileTruth.length).toBeGreaterThan(0);
    expect(sorted(profiles)).toEqual(
      sorted(profileTruth.map((p) => ({ Value: String(p.id), DisplayValue: String(p.name) }))),
    );
  });

  it("EC2 connectors: names shown, ids stored", async () => {
    const list = await runDataSource(bindingOf("QualysVmScan", "ec2Connector"), as(sim.credentials.username));
    expect(list.map((e) => e.DisplayValue)).toEqual(
      expect.arrayContaining(["scenario-ec2", "scenario-ec2-disabled", "scenario-ec2-error"]),
    );
    for (const entry of list) expect(entry.Value).toMatch(/^\d+$/);
  });

  it("VM option profiles and scanner appliances: the titles and names the VM API takes", async () => {
    const profiles = await runDataSource(
      bindingOf("QualysVmScan", "optionProfileName"),
      as(sim.credentials.username),
    );
    const profileTruth = await client.vm.optionProfiles();
    expect(profileTruth.length).toBeGreaterThan(0);
    expect(profiles.map((p) => p.Value).sort()).toEqual(profileTruth.map((p) => p.title).sort());
    const appliances = await runDataSource(
      bindingOf("QualysVmScan", "scannerAppliance"),
      as(sim.credentials.username),
    );
    const applianceTruth = await client.vm.scanners();
    expect(applianceTruth.length).toBeGreaterThan(0);
    expect(appliances.map((a) => a.Value).sort()).toEqual(applianceTruth.map((a) => a.name).sort());
  });

  it("a user without WAS gets empty WAS lists, not an error; one without VM an empty EC2 connector list", async () => {
    for (const target of ["webApp", "authRecordId", "optionProfileId"])
      expect(await runDataSource(bindingOf("QualysWasScan", target), as("sim_vm_only"))).toEqual([]);
    expect(await runDataSource(bindingOf("QualysVmScan", "ec2Connector"), as("sim_was_only"))).toEqual([]);
  });

  it("wrong credentials give an empty list too (the QPS API refuses them with HTTP 200)", async () => {
    const list = await runDataSource(bindingOf("QualysWasScan", "webApp"), {
      ...as(sim.credentials.username),
      password: "wrong",
    });
    expect(list).toEqual([]);
  });
});
