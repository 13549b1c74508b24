import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bindingOf, runDataSource } from "./data-source.js";
import {
  bundleTasks,
  readResult,
  runTask,
  type SimHandle,
  startSimulatorThread,
  type TaskRun,
  temporaryDir,
} from "./task-process.js";

let sim: SimHandle;
let vmTask: string;
const temp = temporaryDir();

beforeAll(async () => {
  [sim, { QualysVmScan: vmTask }] = await Promise.all([
    startSimulatorThread(temp.dir, {
      scanDurationMs: 1500,
      webapps: 1,
      hosts: 2,
      kbSize: 300,
      connectorRunMs: 500,
    }),
    bundleTasks(temp.dir),
  ]);
});
afterAll(async () => {
  await sim?.close();
  temp.remove();
});

const endpoint = () => ({ url: sim.url, username: sim.username, password: sim.password });
let runs = 0;
function scan(inputs: Record<string, string>): Promise<TaskRun> {
  runs += 1;
  return runTask(
    vmTask,
    { pollingFrequency: "1s", timeout: "2m", reportDirectory: `${temp.dir}/run-${runs}`, ...inputs },
    endpoint(),
    { SYSTEM_TASKINSTANCEID: `vm-${runs}` },
  );
}

function expectHandedOver(run: TaskRun, verdict: string, exitCode: string): void {
  expect(run.attachments).toEqual([
    {
      type: "qualys-gate-result",
      name: expect.stringMatching(/^QualysVmScan-vm-\d+\.json$/),
      path: run.outputs.resultPath,
    },
  ]);
  expect(readResult(run.outputs.resultPath ?? "").verdict).toBe(verdict);
  expect(run.summaries).toHaveLength(1);
  expect(run.outputs).toMatchObject({ verdict, exitCode });
}

describe("QualysVmScan with the mock test runner against the simulator", () => {
  it("passes a clean host, with an option profile and a scanner appliance picked from the lists", async () => {
    const [profile] = await runDataSource(bindingOf("QualysVmScan", "optionProfileName"), endpoint());
    const appliances = await runDataSource(bindingOf("QualysVmScan", "scannerAppliance"), endpoint());
    expect(profile).toBeDefined();
    const run = await scan({
      targetType: "ip",
      hostIp: "10.250.0.1",
      optionProfile: "other",
      optionProfileName: profile?.Value ?? "",
      scannerType: "appliance",
      scannerAppliance: appliances[0]?.Value ?? "",
    });
    expect(run.result).toBe("Succeeded");
    expectHandedOver(run, "passed", "0");
  });

  it("fails a vulnerable host by severity count", async () => {
    const run = await scan({
      targetType: "ip",
      hostIp: "10.250.0.2",
      ...Object.fromEntries(
        [1, 2, 3, 4, 5].flatMap((n) => [
          [`failBySev${n}`, "true"],
          [`sev${n}Count`, "0"],
        ]),
      ),
    });
    expect(run.result).toBe("Failed");
    expectHandedOver(run, "failed", "1");
    const failing = readResult(run.outputs.resultPath ?? "").criteria.filter((c) => c.outcome === "fail");
    expect(failing.map((c) => c.id).every((id) => id.startsWith("severity-count-"))).toBe(true);
  });

  it("scans an EC2 instance through the connector the list stores by id", async () => {
    const connectors = await runDataSource(bindingOf("QualysVmScan", "ec2Connector"), endpoint());
    const connector = connectors.find((c) => c.DisplayValue === "scenario-ec2");
    expect(connector?.Value).toMatch(/^\d+$/);
    const run = await scan({
      targetType: "ec2",
      ec2InstanceId: "i-0000000000000clean",
      ec2Connector: connector?.Value ?? "",
      ec2Endpoint: "us-east-1",
      runConnector: "true",
    });
    expect(run.result).toBe("Succeeded");
    expectHandedOver(run, "passed", "0");
  });

  it("fails when no host answered (the scan did not complete)", async () => {
    const run = await scan({ targetType: "ip", hostIp: "10.250.0.3" });
    expect(run.result).toBe("Failed");
    expectHandedOver(run, "incomplete", "2");
  });

  it("refuses all-in-network scanners for EC2 targets, naming the input", async () => {
    const run = await scan({
      targetType: "ec2",
      ec2InstanceId: "i-0000000000000clean",
      ec2Connector: "scenario-ec2",
      ec2Endpoint: "us-east-1",
      scannerType: "all-in-network",
    });
    expect(run.result).toBe("Failed");
    expect(run.stdout).toContain("##vso[task.complete result=Failed;]scannerType: all-in-network applies");
  });
});
