import { describe, expect, it } from "vitest";
import {
  policyFromInputs,
  SCAN_INPUT_DEFAULTS,
  ScanInputError,
  vmScanOptions,
  wasScanOptions,
} from "../src/index.js";

const asFlag = (input: string) => `--${input}`;
const asInput = (input: string) => input;
const now = new Date("2026-12-01T10:00:00Z");
const was = { ...SCAN_INPUT_DEFAULTS.was, wait: true };
const vm = { ...SCAN_INPUT_DEFAULTS.vm, ip: [] as string[], "ec2-instance": [] as string[], wait: true };

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ScanInputError);
    return (error as Error).message;
  }
  throw new Error("no error");
}

describe("the scan inputs' one mapping, named as flags (CLI) or inputs (GitHub Action)", () => {
  it("maps the WAS defaults and a web app to the runner's options", () => {
    const options = wasScanOptions({ ...was, webapp: "shop" }, asInput, {}, now);
    expect(options).toMatchObject({
      webApp: "shop",
      type: "VULNERABILITY",
      authRecord: "none",
      optionProfileId: undefined,
      scanner: { type: "EXTERNAL" },
      pollIntervalMs: 5 * 60_000,
      timeoutMs: 24 * 3_600_000,
      onTimeout: "cancel",
      onRunning: "attach",
      maxPollFailures: 5,
      noWait: false,
    });
  });

  it("names the flag or the input in the same message", () => {
    const bad = { ...was, webapp: "shop", "cancel-after-hours": "25" };
    expect(messageOf(() => wasScanOptions(bad, asFlag, {}, now))).toBe(
      "--cancel-after-hours: 25 is out of range; expected 1 to 24",
    );
    expect(messageOf(() => wasScanOptions(bad, asInput, {}, now))).toBe(
      "cancel-after-hours: 25 is out of range; expected 1 to 24",
    );
    expect(messageOf(() => wasScanOptions(was, asInput, {}, now))).toBe(
      "webapp is required (a web app id or exact name), unless scan-id is given",
    );
    expect(
      messageOf(() => wasScanOptions({ ...was, webapp: "x", "poll-interval": "500ms" }, asInput, {}, now)),
    ).toBe('poll-interval: "500ms" is under 1 second');
  });

  it("checks the VM targets: lists split at commas, one kind of target", () => {
    const options = vmScanOptions({ ...vm, ip: ["10.0.0.1, 10.0.0.2", "10.0.0.1"] }, asInput, {}, now);
    expect(options.ips).toEqual(["10.0.0.1", "10.0.0.2"]);
    expect(options.pollIntervalMs).toBe(2 * 60_000);
    expect(messageOf(() => vmScanOptions(vm, asInput, {}, now))).toBe(
      "give ip ADDRESS or ec2-instance ID (or scan-ref REF to gate an existing scan)",
    );
    expect(
      messageOf(() =>
        vmScanOptions({ ...vm, ip: ["10.0.0.1"], "ec2-instance": ["i-0abc"] }, asFlag, {}, now),
      ),
    ).toBe("--ip and --ec2-instance: give one kind of target, not both");
  });

  it("names the criteria inputs in policy problems", () => {
    expect(messageOf(() => policyFromInputs({ "min-severity": "7" }, asInput))).toMatch(/^min-severity: /);
    expect(messageOf(() => policyFromInputs({ "min-severity": "7" }, asFlag))).toMatch(/^--min-severity: /);
    expect(policyFromInputs({ "fail-on-qids": "150000-150010" }, asInput).policy).toBeDefined();
  });
});
