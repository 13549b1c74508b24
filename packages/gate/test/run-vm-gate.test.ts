/**
 * The VM gate runner against a fake VmGateApi (scripted scan states per reference, connector and instance states,
 * a call log, injected failures) and a fake clock whose sleep advances `now` at once. Each test asserts the
 * GateResult and which calls the runner made, with which launch parameters.
 */

import type { VmScanResults, VmScanRow, VmScanState } from "@qualys-connector/client";
import type { VulnerabilityDefinition } from "@qualys-connector/model";
import { describe, expect, it } from "vitest";
import {
  type Ec2Connector,
  type GateProgress,
  type GateResult,
  type LaunchedVmScan,
  normalizePolicy,
  type PolicyFlags,
  runVmGate,
  toIsoUtc,
  type VmGateApi,
  type VmGateOptions,
} from "../src/index.js";
import { answer, fakeClock, HOUR, httpError, MINUTE } from "./runner-fakes.js";

const REF = "scan/1764590400.12345";
const SCAN_NAME = "web_ci_build_12-20261201T120000Z";
const IPS = ["10.0.0.5", "10.0.0.6"];
/** launch's `launchedAfter`: a minute before the run started, in the form VM v2 date filters take. */
const LAUNCHED_AFTER = "2026-12-01T11:59:00Z";
const DEFAULT_PROFILE = { id: 300, title: "Initial Options" };
const CONNECTOR: Ec2Connector = { id: 42, name: "aws-prod", state: "FINISHED_SUCCESS", disabled: false };
const INSTANCES = ["i-0abc", "i-0def"];

const scanApiError = (status: number, body = "") => httpError(status, "POST", "/api/2.0/fo/scan/", body);

/** A confirmed detection on 10.0.0.5 with every field the gate reads; `fields` changes what a test needs. */
function row(qid: number, fields: Partial<VmScanRow> = {}): VmScanRow {
  return {
    ip: "10.0.0.5",
    dns: "web1.example",
    netbios: "WEB1",
    os: "Ubuntu 22.04",
    qid,
    title: `QID ${qid} from the scan`,
    type: "Vuln",
    severity: 3,
    port: "443",
    protocol: "tcp",
    ssl: true,
    cveIds: [],
    cvssBase: 5,
    cvssVector: "AV:N/AC:L/Au:N/C:P/I:N/A:N",
    cvss3Base: 5.3,
    cvss3Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
    pciVuln: false,
    results: `evidence for ${qid}`,
    fqdn: "web1.example",
    category: "General remote services",
    threat: "The service leaks something.",
    impact: "An attacker learns something.",
    solution: "Update the package.",
    ...fields,
  };
}

function scanResults(
  rows: VmScanRow[],
  fields: { summary?: Record<string, string>; notes?: Record<string, string> } = {},
): VmScanResults {
  return {
    header: { username: "ci_user", company: "Example" },
    summary: fields.summary ?? {
      status: "Finished",
      reference: REF,
      scan_title: SCAN_NAME,
      launch_date: "2026-12-01T12:00:05Z",
      duration: "00:30:00",
    },
    rows,
    notes: fields.notes ?? {},
  };
}

function definition(qid: number, fields: Partial<VulnerabilityDefinition> = {}): VulnerabilityDefinition {
  return {
    qid,
    title: `QID ${qid} from the KnowledgeBase`,
    severity: 1,
    category: "General remote services",
    vulnType: "Vulnerability",
    diagnosis: undefined,
    consequence: undefined,
    solution: "From the KnowledgeBase.",
    cves: [],
    cvssV2Base: undefined,
    cvssV3Base: undefined,
    cvssV3Vector: undefined,
    pci: false,
    cwe: [],
    owasp: [],
    wasc: [],
    ...fields,
  };
}

/** One state answer: a state word, a partial VmScanState, undefined (not listed yet) or an error the call throws. */
type StateStep = string | Partial<VmScanState> | undefined | Error;

interface Script {
  /** null: the subscription has no default option profile. */
  defaultProfile?: { id: number; title: string } | null | Error;
  connector?: Ec2Connector | Error;
  runConnector?: string;
  /** connectorState answers in order; the last one repeats. */
  connectorStates?: (string | Error)[];
  /** Instance states by id; by default every instance asked for is RUNNING. */
  instances?: Record<string, string | undefined>;
  launch?: string | Error;
  /** State answers per scan reference; the last one repeats. A reference without a list is Finished at once. */
  states?: Record<string, StateStep[]>;
  /** Fetches per scan reference; by default a scan without detections. */
  results?: Record<string, VmScanResults | Error>;
  definitions?: VulnerabilityDefinition[] | Error;
  cancel?: Error;
  /** Runs inside each state call before it answers; `n` counts the calls for that reference from 1. */
  duringState?: (ref: string, n: number) => void;
}

interface FakeApi extends VmGateApi {
  /** Every API call, in order, as "method argument". */
  calls: string[];
  launches: { params: Record<string, string>; launchedAfter: string }[];
}

/** A VmGateApi that plays a script and counts calls into `apiCalls` with the purposes `vmGateApi` uses. */
function fakeApi(script: Script, apiCalls: Record<string, number>): FakeApi {
  const calls: string[] = [];
  const launches: FakeApi["launches"] = [];
  const stateCalls = new Map<string, number>();
  let connectorCalls = 0;
  const record = (call: string, purpose: string) => {
    calls.push(call);
    apiCalls[purpose] = (apiCalls[purpose] ?? 0) + 1;
  };
  return {
    calls,
    launches,
    async defaultOptionProfile() {
      record("defaultOptionProfile", "option-profiles");
      const profile = answer(script.defaultProfile === undefined ? DEFAULT_PROFILE : script.defaultProfile);
      return profile ?? undefined;
    },
    async findConnector(nameOrId) {
      record(`findConnector ${nameOrId}`, "connector");
      return answer(script.connector ?? CONNECTOR);
    },
    async runConnector(id) {
      record(`runConnector ${id}`, "connector-run");
      return script.runConnector ?? "RUNNING";
    },
    async connectorState(id) {
      record(`connectorState ${id}`, "connector-state");
      connectorCalls += 1;
      const steps = script.connectorStates ?? ["FINISHED_SUCCESS"];
      return answer(steps[Math.min(connectorCalls, steps.length) - 1] ?? "FINISHED_SUCCESS");
    },
    async instanceStates(instanceIds) {
      calls.push(`instanceStates ${instanceIds.join(",")}`);
      for (const _ of instanceIds) apiCalls["instance-state"] = (apiCalls["instance-state"] ?? 0) + 1;
      const known = script.instances ?? Object.fromEntries(instanceIds.map((id) => [id, "RUNNING"]));
      return new Map(Object.entries(known));
    },
    async launch(params, launchedAfter) {
      record("launch", "launch");
      launches.push({ params: { ...params }, launchedAfter });
      return answer(script.launch ?? REF);
    },
    async state(ref) {
      record(`state ${ref}`, "status");
      const n = (stateCalls.get(ref) ?? 0) + 1;
      stateCalls.set(ref, n);
      script.duringState?.(ref, n);
      const steps = script.states?.[ref] ?? ["Finished"];
      const step = answer(steps[Math.min(n, steps.length) - 1]);
      if (step === undefined) return undefined;
      const base: VmScanState = {
        ref,
        state: "Finished",
        subState: undefined,
        title: SCAN_NAME,
        target: undefined,
        launchDatetime: undefined,
      };
      return typeof step === "string" ? { ...base, state: step } : { ...base, ...step };
    },
    async cancel(ref) {
      record(`cancel ${ref}`, "cancel");
      if (script.cancel) throw script.cancel;
    },
    async results(ref) {
      record(`results ${ref}`, "fetch");
      return answer(script.results?.[ref] ?? scanResults([]));
    },
    async definitions(qids) {
      record(`definitions ${qids.join(",")}`, "kb");
      return answer(script.definitions ?? []);
    },
  };
}

interface Setup {
  script?: Script;
  options?: Partial<VmGateOptions>;
  flags?: PolicyFlags;
}

async function run(setup: Setup = {}) {
  const clock = fakeClock();
  const apiCalls: Record<string, number> = {};
  const api = fakeApi(setup.script ?? {}, apiCalls);
  const events: GateProgress[] = [];
  const options: VmGateOptions = {
    ips: IPS,
    scanName: SCAN_NAME,
    scanner: { kind: "external" },
    pollIntervalMs: MINUTE,
    timeoutMs: HOUR,
    onTimeout: "cancel",
    maxPollFailures: 3,
    clock,
    progress: (event) => events.push(event),
    tool: { name: "qualys-connector", version: "test" },
    ...setup.options,
  };
  const policy = normalizePolicy(setup.flags ?? { minSeverity: "4" }, undefined);
  const outcome = await runVmGate(api, options, policy, undefined, apiCalls);
  return { outcome, api, clock, apiCalls, events, options };
}

/** Run and expect a gate result (not --no-wait's launched scan). */
async function gate(setup: Setup = {}) {
  const { outcome, ...rest } = await run(setup);
  if ("kind" in outcome) throw new Error(`expected a gate result, got ${JSON.stringify(outcome)}`);
  return { result: outcome, ...rest };
}

/** `id outcome actual` per criterion, the part of a criterion that changes between these tests. */
const criteriaOf = (result: GateResult) =>
  result.criteria.map((c) => ({ id: c.id, outcome: c.outcome, actual: c.actual }));
const dispositionsOf = (result: GateResult) => result.findings.map((f) => [f.qid, f.disposition]);

const LAUNCH_CALLS = ["defaultOptionProfile", "launch"];
const FETCH_CALLS = [...LAUNCH_CALLS, `state ${REF}`, `results ${REF}`];
const EC2: NonNullable<VmGateOptions["ec2"]> = {
  instanceIds: INSTANCES,
  connector: "aws-prod",
  endpoint: "us-east-1",
  runConnector: false,
};
/** A fresh copy per test: the runner writes the connector's name back into it. */
const ec2 = (fields: Partial<NonNullable<VmGateOptions["ec2"]>> = {}) => ({ ...EC2, ...fields });

describe("runVmGate: launch parameters", () => {
  it.each<{
    what: string;
    options: Partial<VmGateOptions>;
    params: Record<string, string>;
    calls: string[];
  }>([
    {
      what: "the default option profile's id, an external scanner",
      options: {},
      params: { scan_title: SCAN_NAME, option_id: "300", ip: "10.0.0.5,10.0.0.6" },
      calls: ["defaultOptionProfile", "launch"],
    },
    {
      what: "--option-profile TITLE, a named scanner appliance",
      options: {
        optionProfile: { title: "CI hosts" },
        scanner: { kind: "name", name: "appliance-eu-1" },
      },
      params: {
        scan_title: SCAN_NAME,
        option_title: "CI hosts",
        iscanner_name: "appliance-eu-1",
        ip: "10.0.0.5,10.0.0.6",
      },
      calls: ["launch"],
    },
    {
      what: "--option-profile ID, all scanners in the network, --network",
      options: { optionProfile: { id: 77 }, scanner: { kind: "all-in-network" }, networkId: 5 },
      params: {
        scan_title: SCAN_NAME,
        option_id: "77",
        scanners_in_network: "1",
        ip: "10.0.0.5,10.0.0.6",
        ip_network_id: "5",
      },
      calls: ["launch"],
    },
  ])("$what", async (row) => {
    const { result, api } = await gate({ options: row.options });

    expect(result).toMatchObject({ verdict: "passed", exitCode: 0, warnings: [] });
    expect(api.launches).toStrictEqual([{ params: row.params, launchedAfter: LAUNCHED_AFTER }]);
    expect(api.calls).toEqual([...row.calls, `state ${REF}`, `results ${REF}`]);
  });

  it("without a default option profile: a warning, and neither option_id nor option_title", async () => {
    const { result, api, events } = await gate({ script: { defaultProfile: null } });

    const warning = "no default VM option profile was found; Qualys chooses one";
    expect(result).toMatchObject({
      verdict: "passed",
      exitCode: 0,
      reason: "passed: 2 criteria checked",
      warnings: [warning],
    });
    expect(api.launches).toStrictEqual([
      { params: { scan_title: SCAN_NAME, ip: "10.0.0.5,10.0.0.6" }, launchedAfter: LAUNCHED_AFTER },
    ]);
    expect(events).toContainEqual({ kind: "warning", message: warning });
  });

  it("a refused launch is an error with the client's kind, exit 3", async () => {
    const refused = scanApiError(400, "option profile not found");
    const { result, api } = await gate({ script: { launch: refused } });

    expect(result).toMatchObject({
      verdict: "error",
      exitCode: 3,
      reason: `error: ${refused.message}`,
      error: { kind: "http", message: refused.message },
      scan: undefined,
    });
    expect(api.calls).toEqual(LAUNCH_CALLS);
  });
});

describe("runVmGate: polling and results", () => {
  it("polls not listed, Queued, Running, Finished with one poll interval between state calls", async () => {
    const { result, api, clock, events, apiCalls } = await gate({
      options: { pollIntervalMs: 2 * MINUTE },
      script: { states: { [REF]: [undefined, "Queued", "Running", "Finished"] } },
    });

    expect(result).toMatchObject({
      schemaVersion: 1,
      tool: { name: "qualys-connector", version: "test" },
      generatedAt: "2026-12-01T12:06:00.000Z",
      verdict: "passed",
      exitCode: 0,
      reason: "passed: 2 criteria checked",
      incomplete: undefined,
      error: undefined,
      warnings: [],
      findings: [],
    });
    expect(criteriaOf(result)).toEqual([
      { id: "min-severity", outcome: "pass", actual: "none" },
      { id: "scan-complete", outcome: "pass", actual: "Finished" },
    ]);
    expect(result.scan).toStrictEqual({
      kind: "vm",
      id: REF,
      name: SCAN_NAME,
      reference: REF,
      status: "Finished",
      resultsStatus: undefined,
      authStatus: undefined,
      launchedDate: "2026-12-01T12:00:05Z",
      durationSec: 1800,
      // IP targets have no second name (only EC2 targets are named with their connector).
      target: { id: "10.0.0.5,10.0.0.6", name: undefined, url: undefined },
      portalUrl: undefined,
    });
    expect(api.calls).toEqual([...LAUNCH_CALLS, ...Array<string>(4).fill(`state ${REF}`), `results ${REF}`]);
    expect(clock.sleeps).toEqual([2 * MINUTE, 2 * MINUTE, 2 * MINUTE]);
    expect(events.flatMap((e) => (e.kind === "status" ? [[e.status, e.elapsedMs]] : []))).toEqual([
      ["not listed yet", 0],
      ["Queued", 2 * MINUTE],
      ["Running", 4 * MINUTE],
      ["Finished", 6 * MINUTE],
    ]);
    expect(events.map((e) => e.kind)).toEqual([
      "launched",
      "status",
      "status",
      "status",
      "status",
      "results",
    ]);
    expect(result.apiCalls).toBe(apiCalls);
    expect(apiCalls).toEqual({ "option-profiles": 1, launch: 1, status: 4, fetch: 1 });
  });

  it("without a duration in the summary, the scan's duration is the time the run waited", async () => {
    const { result } = await gate({
      script: {
        states: { [REF]: ["Running", "Running", "Finished"] },
        results: { [REF]: scanResults([], { summary: { status: "Finished" } }) },
      },
    });

    expect(result.scan).toMatchObject({ launchedDate: undefined, durationSec: 120 });
  });

  it("summarizes hosts: confirmed and potential by severity, information gathered, scanned IPs without rows", async () => {
    const rows = [
      row(38001, { severity: 5 }),
      row(38002, { severity: 3, port: "22" }),
      row(38003, { type: "Practice", severity: 4 }),
      row(45038, { type: "Ig", severity: 1, port: undefined, protocol: undefined }),
      row(82023, { type: "Ig", severity: 2, port: undefined, protocol: undefined }),
      row(38004, { ip: "10.0.1.3", dns: undefined, netbios: undefined, os: "Windows", severity: 2 }),
    ];
    const { result, api, events } = await gate({
      options: { ips: ["10.0.0.5", "10.0.0.6", "10.0.1.1-10.0.1.9"] },
      script: { results: { [REF]: scanResults(rows) } },
    });

    expect(result).toMatchObject({
      verdict: "failed",
      exitCode: 1,
      reason:
        "failed: Any vulnerability of severity 4 (Critical) or higher: 1 (QIDs 38001) (configured >= 4)",
      warnings: [],
      severityCounts: { fromFindings: [0, 1, 1, 1, 1], fromStats: undefined, differ: false },
    });
    expect(result.hosts).toEqual([
      {
        ip: "10.0.0.5",
        dns: "web1.example",
        netbios: "WEB1",
        os: "Ubuntu 22.04",
        confirmed: [0, 0, 1, 0, 1],
        potential: [0, 0, 0, 1, 0],
        information: 2,
      },
      {
        ip: "10.0.0.6",
        dns: undefined,
        netbios: undefined,
        os: undefined,
        confirmed: [0, 0, 0, 0, 0],
        potential: [0, 0, 0, 0, 0],
        information: 0,
      },
      {
        ip: "10.0.1.3",
        dns: undefined,
        netbios: undefined,
        os: "Windows",
        confirmed: [0, 1, 0, 0, 0],
        potential: [0, 0, 0, 0, 0],
        information: 0,
      },
    ]);
    expect(dispositionsOf(result)).toEqual([
      [38001, "counted"],
      [38002, "counted"],
      [38003, "potential"],
      [38004, "counted"],
    ]);
    expect(result.findings[0]).toMatchObject({
      target: "10.0.0.5",
      port: "443",
      protocol: "tcp",
      potential: false,
      results: "evidence for 38001",
      host: { ip: "10.0.0.5", dns: "web1.example", netbios: "WEB1", os: "Ubuntu 22.04" },
    });
    expect(result.scan?.target).toEqual({
      id: "10.0.0.5,10.0.0.6,10.0.1.1-10.0.1.9",
      name: undefined,
      url: undefined,
    });
    expect(api.launches[0]?.params.ip).toBe("10.0.0.5,10.0.0.6,10.0.1.1-10.0.1.9");
    expect(api.calls).toEqual(FETCH_CALLS);
    expect(events).toContainEqual({ kind: "results", scanId: REF, vulnerabilities: 4 });
  });

  it("a failed fetch of a Finished scan is an error, exit 3, naming the scan", async () => {
    const fetch = scanApiError(500, "Internal Server Error");
    const { result, api } = await gate({ script: { results: { [REF]: fetch } } });

    expect(result).toMatchObject({
      verdict: "error",
      exitCode: 3,
      reason: `error: ${fetch.message} (scan ${REF})`,
      error: { kind: "http", message: `${fetch.message} (scan ${REF})` },
      criteria: [],
      findings: [],
    });
    expect(result.scan).toMatchObject({ id: REF, status: "Finished" });
    expect(api.calls).toEqual(FETCH_CALLS);
  });
});

describe("runVmGate: the KnowledgeBase", () => {
  const rows = [
    row(38001),
    row(38002, { severity: undefined, title: undefined }),
    row(38002, { ip: "10.0.0.6", severity: undefined, title: undefined }),
    row(38003, { cvssBase: undefined, cvss3Base: undefined }),
    row(38004, { solution: undefined }),
    row(38005, { cvssBase: undefined }),
    row(38006, { type: "Practice", severity: undefined }),
    row(45038, {
      type: "Ig",
      severity: undefined,
      cvssBase: undefined,
      cvss3Base: undefined,
      solution: undefined,
    }),
  ];
  const kb = [
    definition(38002, { severity: 5 }),
    definition(38003, { cvssV2Base: 7.5, cvssV3Base: 9.1 }),
    definition(38004, { solution: "Apply the vendor patch." }),
    definition(38006, { severity: 2 }),
  ];
  const kbError = httpError(503, "POST", "/api/2.0/fo/knowledge_base/vuln/", "Service Unavailable");
  const kbWarning = `KnowledgeBase unavailable (${kbError.message}); the scan's own fields are used`;

  it("is asked only for QIDs whose rows lack severity, CVSS or solution, and completes those rows", async () => {
    const { result, api, apiCalls } = await gate({
      script: { results: { [REF]: scanResults(rows) }, definitions: kb },
    });

    expect(api.calls).toEqual([...FETCH_CALLS, "definitions 38002,38003,38004,38006"]);
    expect(apiCalls.kb).toBe(1);
    expect(result).toMatchObject({
      verdict: "failed",
      exitCode: 1,
      reason:
        "failed: Any vulnerability of severity 4 (Critical) or higher: 2 (QIDs 38002) (configured >= 4)",
      warnings: [],
      incomplete: undefined,
    });
    const byQid = (qid: number) => result.findings.find((f) => f.qid === qid);
    expect(byQid(38002)).toMatchObject({ severity: 5, title: "QID 38002 from the KnowledgeBase" });
    expect(byQid(38003)?.definition).toMatchObject({ cvssV2Base: 7.5, cvssV3Base: 9.1 });
    expect(byQid(38004)?.definition?.solution).toBe("Apply the vendor patch.");
    expect(byQid(38006)).toMatchObject({ severity: 2, potential: true, disposition: "potential" });
    // The row's own fields win over the KnowledgeBase.
    expect(byQid(38001)).toMatchObject({ severity: 3, title: "QID 38001 from the scan" });
  });

  it("is not asked when every row has severity, CVSS and solution", async () => {
    const { api } = await gate({ script: { results: { [REF]: scanResults([row(38001), row(38005)]) } } });

    expect(api.calls).toEqual(FETCH_CALLS);
  });

  it("a KnowledgeBase failure is a warning; a row without severity then makes the run incomplete", async () => {
    const { result, api, events } = await gate({
      script: { results: { [REF]: scanResults(rows) }, definitions: kbError },
    });

    const reason = "severity unknown for 2 findings (QIDs 38002)";
    expect(result).toMatchObject({
      verdict: "incomplete",
      exitCode: 2,
      reason: `incomplete: ${reason}`,
      incomplete: { reason, handling: "fail" },
      warnings: [kbWarning],
    });
    expect(criteriaOf(result)).toEqual([
      { id: "min-severity", outcome: "not-evaluated", actual: "none" },
      { id: "scan-complete", outcome: "fail", actual: `Finished: ${reason}` },
    ]);
    expect(api.calls.at(-1)).toBe("definitions 38002,38003,38004,38006");
    expect(events).toContainEqual({ kind: "warning", message: kbWarning });
  });

  // The host table counts the same severities as the findings, KnowledgeBase ones included.
  it("a severity the KnowledgeBase fills in is counted in the host summary", async () => {
    const { result } = await gate({
      options: { ips: ["10.0.0.5"] },
      script: {
        results: { [REF]: scanResults([row(38002, { severity: undefined })]) },
        definitions: [definition(38002, { severity: 5 })],
      },
    });

    expect(result.verdict).toBe("failed");
    expect(result.findings[0]?.severity).toBe(5);
    expect(result.hosts?.[0]?.confirmed).toEqual([0, 0, 0, 0, 1]);
  });
});

describe("runVmGate: criteria", () => {
  // Rows where CVSS v2 and v3 disagree, so each version picks a different finding.
  const rows = [
    row(38001, {
      severity: 3,
      cvssBase: 9.3,
      cvss3Base: 6.1,
      cveIds: ["CVE-2021-0001"],
      pciVuln: false,
    }),
    row(38002, {
      severity: 2,
      port: "80",
      cvssBase: 4.3,
      cvss3Base: 8.8,
      cveIds: ["CVE-2021-0002"],
      pciVuln: true,
    }),
    row(38003, {
      type: "Practice",
      severity: 5,
      cvssBase: 10,
      cvss3Base: 9.8,
      cveIds: ["CVE-2021-0003"],
      pciVuln: true,
    }),
    row(38004, { severity: 4, port: "8443", cvssBase: 5, cvss3Base: 5, cveIds: [], pciVuln: false }),
    row(45038, { type: "Ig", severity: 5, cvssBase: 10, cvss3Base: 10, pciVuln: true }),
  ];
  const counted = (potential: "potential" | "counted" = "potential") => [
    [38001, "counted"],
    [38002, "counted"],
    [38003, potential],
    [38004, "counted"],
  ];

  it.each<{
    what: string;
    flags: PolicyFlags;
    verdict: string;
    criterion: { id: string; outcome: string; actual: string };
    dispositions: (string | number)[][];
  }>([
    {
      what: "--min-severity 4 counts confirmed vulnerabilities only",
      flags: { minSeverity: "4" },
      verdict: "failed",
      criterion: { id: "min-severity", outcome: "fail", actual: "1 (QIDs 38004)" },
      dispositions: counted(),
    },
    {
      what: "--min-severity 5: the only severity 5 is potential, so it passes",
      flags: { minSeverity: "5" },
      verdict: "passed",
      criterion: { id: "min-severity", outcome: "pass", actual: "none" },
      dispositions: counted(),
    },
    {
      what: "--min-severity 5 --include-potential counts the potential one",
      flags: { minSeverity: "5", includePotential: true },
      verdict: "failed",
      criterion: { id: "min-severity", outcome: "fail", actual: "1 (QIDs 38003)" },
      dispositions: counted("counted"),
    },
    {
      what: "--fail-on-cves names the CVEs found (not the potential one's)",
      flags: { failOnCves: "cve-2021-0002, CVE-2021-0003, CVE-1999-0001" },
      verdict: "failed",
      criterion: { id: "cves", outcome: "fail", actual: "CVE-2021-0002" },
      dispositions: counted(),
    },
    {
      what: "--fail-on-cvss 7 --cvss-version 2",
      flags: { failOnCvss: "7", cvssVersion: "2" },
      verdict: "failed",
      criterion: { id: "cvss", outcome: "fail", actual: "1 (highest 9.3)" },
      dispositions: counted(),
    },
    {
      what: "--fail-on-cvss 7 --cvss-version 3",
      flags: { failOnCvss: "7", cvssVersion: "3" },
      verdict: "failed",
      criterion: { id: "cvss", outcome: "fail", actual: "1 (highest 8.8)" },
      dispositions: counted(),
    },
    {
      what: "--fail-on-cvss 7 takes the higher of v2 and v3 by default",
      flags: { failOnCvss: "7" },
      verdict: "failed",
      criterion: { id: "cvss", outcome: "fail", actual: "2 (highest 9.3)" },
      dispositions: counted(),
    },
    {
      what: "--fail-on-cvss 9.5 --cvss-version max passes below it",
      flags: { failOnCvss: "9.5", cvssVersion: "max" },
      verdict: "passed",
      criterion: { id: "cvss", outcome: "pass", actual: "none (highest 9.3)" },
      dispositions: counted(),
    },
    {
      what: "--fail-on-pci",
      flags: { failOnPci: true },
      verdict: "failed",
      criterion: { id: "pci", outcome: "fail", actual: "1 (QIDs 38002)" },
      dispositions: counted(),
    },
    {
      what: "--exclude-qids and --exclude-cves together remove findings from every criterion",
      flags: { minSeverity: "2", excludeQids: "38004", excludeCves: "CVE-2021-0001" },
      verdict: "failed",
      criterion: { id: "min-severity", outcome: "fail", actual: "1 (QIDs 38002)" },
      dispositions: [
        [38001, "excluded"],
        [38002, "counted"],
        [38003, "potential"],
        [38004, "excluded"],
      ],
    },
    {
      what: "exclusions apply to potential findings too, before --include-potential",
      flags: { minSeverity: "4", includePotential: true, excludeQids: "38004", excludeCves: "CVE-2021-0003" },
      verdict: "passed",
      criterion: { id: "min-severity", outcome: "pass", actual: "none" },
      dispositions: [
        [38001, "counted"],
        [38002, "counted"],
        [38003, "excluded"],
        [38004, "excluded"],
      ],
    },
  ])("$what: $verdict", async (row) => {
    const { result, api } = await gate({
      flags: row.flags,
      script: { results: { [REF]: scanResults(rows) } },
    });

    expect(result).toMatchObject({
      verdict: row.verdict,
      exitCode: row.verdict === "passed" ? 0 : 1,
      incomplete: undefined,
      error: undefined,
    });
    expect(criteriaOf(result)).toEqual([
      row.criterion,
      { id: "scan-complete", outcome: "pass", actual: "Finished" },
    ]);
    expect(dispositionsOf(result)).toEqual(row.dispositions);
    // Every row carries its fields, so the KnowledgeBase is not asked.
    expect(api.calls).toEqual(FETCH_CALLS);
  });

  it("names the criterion, configured and actual values in the reason", async () => {
    const { result } = await gate({
      flags: { failOnCvss: "7", cvssVersion: "3", failOnPci: true, failOnCves: "CVE-2021-0001" },
      script: { results: { [REF]: scanResults(rows) } },
    });

    expect(result.reason).toBe(
      "failed: Any of these CVEs: CVE-2021-0001 (configured CVE-2021-0001); " +
        "Any vulnerability with a CVSS v3 base score of 7 or more: 1 (highest 8.8) (configured >= 7 (v3)); " +
        "Any vulnerability flagged for PCI: 1 (QIDs 38002) (configured no PCI vulnerability)",
    );
  });

  it("a criterion with no violation passes the run without warnings", async () => {
    const { result } = await gate({
      flags: { minSeverity: "5" },
      script: { results: { [REF]: scanResults(rows) } },
    });

    expect(result).toMatchObject({ verdict: "passed", reason: "passed: 2 criteria checked", warnings: [] });
  });

  it.each<PolicyFlags>([{ failOnCves: "CVE-2021-0001" }, { failOnCvss: "9.9" }, { failOnPci: true }])(
    "a CVE, CVSS or PCI criterion alone is a vulnerability criterion (%o)",
    async (flags) => {
      const { result } = await gate({ flags, script: { results: { [REF]: scanResults(rows) } } });

      expect(result.warnings).toEqual([]);
    },
  );
});

describe("runVmGate: scans that end without a full answer", () => {
  it("Finished / No_Host: the host was not alive, incomplete, and --on-incomplete warn passes it", async () => {
    const script: Script = { states: { [REF]: [{ state: "Finished", subState: "No_Host" }] } };
    const reason = `scan ${REF} finished but the host was not alive (SUB_STATE No_Host)`;

    const failing = await gate({ script });
    expect(failing.result).toMatchObject({
      verdict: "incomplete",
      exitCode: 2,
      reason: `incomplete: ${reason}`,
      incomplete: { reason, handling: "fail" },
      warnings: [],
    });
    expect(criteriaOf(failing.result).at(-1)).toEqual({
      id: "scan-complete",
      outcome: "fail",
      actual: `Finished / No_Host: ${reason}`,
    });
    expect(failing.result.scan).toMatchObject({ status: "Finished", resultsStatus: "No_Host" });
    expect(failing.api.calls).toEqual(FETCH_CALLS);

    const warning = await gate({ script, flags: { minSeverity: "4", onIncomplete: "warn" } });
    expect(warning.result).toMatchObject({
      verdict: "passed",
      exitCode: 0,
      // The partial results show no violation, which proves nothing: the criterion is not evaluated.
      reason: `passed: 1 criterion checked, 1 not evaluated (min-severity), 1 warning (scan-complete); the scan was incomplete (${reason}) and onIncomplete warn let it pass`,
      incomplete: { reason, handling: "warn" },
      warnings: [
        `the scan is incomplete (${reason}); onIncomplete warn lets the run pass on the results that exist`,
      ],
    });
  });

  it("Finished / No_Vuln is a complete answer", async () => {
    const { result } = await gate({
      script: { states: { [REF]: [{ state: "Finished", subState: "No_Vuln" }] } },
    });

    expect(result).toMatchObject({ verdict: "passed", exitCode: 0, incomplete: undefined, warnings: [] });
    expect(criteriaOf(result).at(-1)).toEqual({
      id: "scan-complete",
      outcome: "pass",
      actual: "Finished / No_Vuln",
    });
  });

  it("hosts listed as not alive in the notes make a Finished scan incomplete, listing them", async () => {
    const { result } = await gate({
      script: {
        results: {
          [REF]: scanResults([row(38001, { severity: 2 })], {
            notes: { hosts_not_scanned_host_not_alive_ip: "10.0.0.6" },
          }),
        },
      },
    });

    const reason = `scan ${REF} finished but these hosts were not alive: 10.0.0.6`;
    expect(result).toMatchObject({
      verdict: "incomplete",
      exitCode: 2,
      reason: `incomplete: ${reason}`,
      incomplete: { reason, handling: "fail" },
    });
    expect(result.findings.map((f) => f.qid)).toEqual([38001]);
  });

  it("an empty not-alive note is no problem", async () => {
    const { result } = await gate({
      script: { results: { [REF]: scanResults([], { notes: { hosts_not_scanned_host_not_alive_ip: "" } }) } },
    });

    expect(result).toMatchObject({ verdict: "passed", incomplete: undefined });
  });

  it("Error: no fetch, incomplete", async () => {
    const { result, api } = await gate({ script: { states: { [REF]: ["Running", "Error"] } } });

    const reason = `scan ${REF} ended Error`;
    expect(result).toMatchObject({
      verdict: "incomplete",
      exitCode: 2,
      reason: `incomplete: ${reason}`,
      incomplete: { reason, handling: "fail" },
      warnings: [],
      findings: [],
    });
    expect(result.hosts).toBeUndefined();
    expect(result.scan).toMatchObject({ status: "Error", durationSec: 60 });
    expect(api.calls).toEqual([...LAUNCH_CALLS, `state ${REF}`, `state ${REF}`]);
  });

  it("Canceled: the partial fetch is evaluated; a violation fails the run, also incomplete", async () => {
    const { result, api } = await gate({
      script: {
        states: { [REF]: ["Canceled"] },
        results: { [REF]: scanResults([row(38001, { severity: 5 })]) },
      },
    });

    expect(result).toMatchObject({
      verdict: "failed",
      exitCode: 1,
      reason: `failed: Any vulnerability of severity 4 (Critical) or higher: 1 (QIDs 38001) (configured >= 4); also incomplete: scan ${REF} was canceled`,
      warnings: [],
    });
    expect(api.calls).toEqual(FETCH_CALLS);
  });

  it("Canceled: a failed fetch is a warning, still incomplete", async () => {
    const fetch = scanApiError(409, "scan has no results");
    const { result, api } = await gate({
      script: { states: { [REF]: ["Canceled"] }, results: { [REF]: fetch } },
    });

    const reason = `scan ${REF} was canceled`;
    expect(result).toMatchObject({
      verdict: "incomplete",
      exitCode: 2,
      reason: `incomplete: ${reason}`,
      warnings: [`no results for the Canceled scan: ${fetch.message}`],
      findings: [],
      error: undefined,
    });
    expect(result.hosts).toBeUndefined();
    expect(api.calls).toEqual(FETCH_CALLS);
  });
});

describe("runVmGate: timeouts and signals", () => {
  it("--on-timeout cancel cancels the scan with its reference, incomplete, exit 2", async () => {
    const { result, api, clock, events } = await gate({
      options: { timeoutMs: 5 * MINUTE, onTimeout: "cancel" },
      script: { states: { [REF]: ["Running"] } },
    });

    const reason = `timed out after 5m while polling; scan ${REF} cancelled`;
    expect(result).toMatchObject({
      verdict: "incomplete",
      exitCode: 2,
      reason: `incomplete: ${reason}`,
      incomplete: { reason, handling: "fail" },
      warnings: [],
      findings: [],
    });
    expect(criteriaOf(result)).toEqual([
      { id: "min-severity", outcome: "not-evaluated", actual: "no results" },
      { id: "scan-complete", outcome: "fail", actual: reason },
    ]);
    expect(api.calls).toEqual([...LAUNCH_CALLS, ...Array<string>(6).fill(`state ${REF}`), `cancel ${REF}`]);
    expect(clock.sleeps).toEqual(Array<number>(5).fill(MINUTE));
    expect(result.scan).toMatchObject({ id: REF, durationSec: 300 });
    expect(events).toContainEqual({ kind: "cancelling", scanId: REF, why: "timeout" });
  });

  it("--on-timeout leave does not cancel and says how to gate the scan later", async () => {
    const { result, api } = await gate({
      options: { timeoutMs: 5 * MINUTE, onTimeout: "leave" },
      script: { states: { [REF]: ["Running"] } },
    });

    const reason = `timed out after 5m while polling; scan ${REF} left running (onTimeout leave); gate it later with scanRef ${REF}`;
    expect(result).toMatchObject({ verdict: "incomplete", exitCode: 2, reason: `incomplete: ${reason}` });
    expect(result.reason).toContain(`scanRef ${REF}`);
    expect(api.calls).toEqual([...LAUNCH_CALLS, ...Array<string>(6).fill(`state ${REF}`)]);
  });

  it("a cancel that fails on timeout is a warning; the run is still incomplete", async () => {
    const cancel = scanApiError(500);
    const { result } = await gate({
      options: { timeoutMs: 2 * MINUTE },
      script: { states: { [REF]: ["Running"] }, cancel },
    });

    expect(result).toMatchObject({
      verdict: "incomplete",
      exitCode: 2,
      reason: `incomplete: timed out after 2m while polling; scan ${REF} may still be running (cancel failed)`,
      warnings: [`could not cancel scan ${REF}: ${cancel.message}`],
    });
  });

  it("an abort while polling cancels the scan, incomplete", async () => {
    const controller = new AbortController();
    const { result, api, clock, events } = await gate({
      options: { signal: controller.signal },
      script: {
        states: { [REF]: ["Running"] },
        duringState: (_, n) => {
          if (n === 2) controller.abort("SIGTERM received");
        },
      },
    });

    const reason = `SIGTERM received while polling; scan ${REF} cancelled`;
    expect(result).toMatchObject({
      verdict: "incomplete",
      exitCode: 2,
      reason: `incomplete: ${reason}`,
      incomplete: { reason, handling: "fail" },
      warnings: [],
    });
    expect(api.calls).toEqual([...LAUNCH_CALLS, `state ${REF}`, `state ${REF}`, `cancel ${REF}`]);
    expect(clock.sleeps).toEqual([MINUTE]);
    expect(events).toContainEqual({ kind: "cancelling", scanId: REF, why: "SIGTERM received" });
  });

  it("an abort before the launch launches nothing", async () => {
    const controller = new AbortController();
    controller.abort("SIGTERM received");
    const { result, api } = await gate({ options: { signal: controller.signal } });

    const reason = "SIGTERM received before the scan was launched; nothing was launched";
    expect(result).toMatchObject({
      verdict: "incomplete",
      exitCode: 2,
      reason: `incomplete: ${reason}`,
      incomplete: { reason, handling: "fail" },
    });
    expect(result.scan).toMatchObject({ id: "", reference: "", name: SCAN_NAME });
    expect(api.calls).toEqual([]);
    expect(api.launches).toEqual([]);
  });

  // A signal that has already fired stops the run before anything reaches Qualys, EC2 or not.
  it("an abort before an EC2 run starts no connector run", async () => {
    const controller = new AbortController();
    controller.abort("SIGTERM received");
    const { result, api } = await gate({
      options: { ips: [], ec2: ec2({ runConnector: true }), signal: controller.signal },
    });

    expect(result).toMatchObject({ verdict: "incomplete", exitCode: 2 });
    expect(api.calls.filter((c) => c.startsWith("runConnector"))).toEqual([]);
    expect(api.launches).toEqual([]);
  });
});

describe("runVmGate: failing state calls", () => {
  it("--max-poll-failures 3: three 503s in a row end the run with exit 3 and leave the scan running", async () => {
    const stateError = scanApiError(503, "Service Unavailable");
    const { result, api, clock, events } = await gate({
      options: { maxPollFailures: 3 },
      script: { states: { [REF]: ["Running", stateError, stateError, stateError] } },
    });

    const message = `3 status calls in a row failed (last: ${stateError.message}); scan ${REF} was left running; gate it later with scanRef ${REF}`;
    expect(result).toMatchObject({
      verdict: "error",
      exitCode: 3,
      reason: `error: ${message}`,
      error: { kind: "polling", message },
      incomplete: undefined,
      criteria: [],
      findings: [],
      warnings: [],
    });
    expect(result.error?.message).toContain(`scanRef ${REF}`);
    expect(result.scan).toMatchObject({ id: REF, name: SCAN_NAME });
    expect(api.calls).toEqual([...LAUNCH_CALLS, ...Array<string>(4).fill(`state ${REF}`)]);
    expect(clock.sleeps).toEqual([MINUTE, MINUTE, MINUTE]);
    expect(events.flatMap((e) => (e.kind === "poll-failed" ? [[e.failures, e.max]] : []))).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it("a successful state call resets the count of failures in a row", async () => {
    const stateError = scanApiError(503);
    const { result, api } = await gate({
      options: { maxPollFailures: 2 },
      script: { states: { [REF]: [stateError, "Running", stateError, "Finished"] } },
    });

    expect(result).toMatchObject({ verdict: "passed", exitCode: 0, error: undefined });
    expect(api.calls).toEqual([...LAUNCH_CALLS, ...Array<string>(4).fill(`state ${REF}`), `results ${REF}`]);
  });
});

describe("runVmGate: EC2 instances", () => {
  const ec2Params = {
    scan_title: SCAN_NAME,
    option_id: "300",
    ec2_instance_ids: "i-0abc,i-0def",
    connector_name: "aws-prod",
    ec2_endpoint: "us-east-1",
  };

  it.each<{ what: string; connector: Ec2Connector }>([
    { what: "flagged disabled", connector: { ...CONNECTOR, disabled: true } },
    { what: "in state DISABLED", connector: { ...CONNECTOR, state: "DISABLED" } },
  ])("a connector $what is an error, exit 3, and nothing is launched", async (row) => {
    const { result, api } = await gate({
      options: { ips: [], ec2: ec2({ runConnector: true }) },
      script: { connector: row.connector },
    });

    const message = `EC2 connector "aws-prod" (42) is disabled; enable it in Qualys before scanning its instances`;
    expect(result).toMatchObject({
      verdict: "error",
      exitCode: 3,
      reason: `error: ${message}`,
      error: { kind: "connector", message },
      scan: undefined,
    });
    expect(api.calls).toEqual(["findConnector aws-prod"]);
    expect(api.launches).toEqual([]);
  });

  it("--run-connector: runs an idle connector, polls it to FINISHED_SUCCESS, checks the instances, launches", async () => {
    const { result, api, clock, events, apiCalls } = await gate({
      options: { ips: [], ec2: ec2({ connector: "42", runConnector: true }) },
      script: { connectorStates: ["RUNNING", "RUNNING", "FINISHED_SUCCESS"] },
    });

    expect(result).toMatchObject({ verdict: "passed", exitCode: 0, warnings: [] });
    expect(api.calls).toEqual([
      "findConnector 42",
      "runConnector 42",
      "connectorState 42",
      "connectorState 42",
      "connectorState 42",
      "instanceStates i-0abc,i-0def",
      ...FETCH_CALLS,
    ]);
    // The connector is launched by its name even though the user gave its id.
    expect(api.launches).toStrictEqual([{ params: ec2Params, launchedAfter: LAUNCHED_AFTER }]);
    expect(clock.sleeps).toEqual([MINUTE, MINUTE]);
    expect(result.scan?.target.id).toBe("i-0abc,i-0def");
    expect(events).toContainEqual({ kind: "connector", name: "aws-prod", state: "FINISHED_SUCCESS" });
    expect(events.flatMap((e) => (e.kind === "status" ? [[e.scanId, e.status]] : []))).toEqual([
      ["connector aws-prod", "connector RUNNING"],
      ["connector aws-prod", "connector RUNNING"],
      ["connector aws-prod", "connector FINISHED_SUCCESS"],
      [REF, "Finished"],
    ]);
    expect(apiCalls).toEqual({
      connector: 1,
      "connector-run": 1,
      "connector-state": 3,
      "instance-state": 2,
      "option-profiles": 1,
      launch: 1,
      status: 1,
      fetch: 1,
    });
  });

  it("hosts of an EC2 scan come from its rows only", async () => {
    const { result } = await gate({
      options: { ips: [], ec2: ec2() },
      script: { results: { [REF]: scanResults([row(38001, { ip: "172.31.5.9", severity: 2 })]) } },
    });

    expect(result.hosts?.map((h) => [h.ip, h.confirmed])).toEqual([["172.31.5.9", [0, 1, 0, 0, 0]]]);
    expect(result.scan?.target).toEqual({
      id: "i-0abc,i-0def",
      name: "EC2 i-0abc, i-0def (connector aws-prod, us-east-1)",
      url: undefined,
    });
  });

  it("--run-connector with a run in progress waits for it without starting another", async () => {
    const { result, api } = await gate({
      options: { ips: [], ec2: ec2({ runConnector: true }) },
      script: {
        connector: { ...CONNECTOR, state: "RUNNING" },
        connectorStates: ["RUNNING", "FINISHED_SUCCESS"],
      },
    });

    expect(result).toMatchObject({ verdict: "passed", exitCode: 0 });
    expect(api.calls).toEqual([
      "findConnector aws-prod",
      "connectorState 42",
      "connectorState 42",
      "instanceStates i-0abc,i-0def",
      ...FETCH_CALLS,
    ]);
  });

  it("without --run-connector the connector is not run", async () => {
    const { api } = await gate({ options: { ips: [], ec2: ec2() } });

    expect(api.calls).toEqual(["findConnector aws-prod", "instanceStates i-0abc,i-0def", ...FETCH_CALLS]);
    expect(api.launches[0]?.params).toStrictEqual(ec2Params);
  });

  it("a connector run that ends FINISHED_ERRORS is an error, exit 3, and nothing is launched", async () => {
    const { result, api } = await gate({
      options: { ips: [], ec2: ec2({ runConnector: true }) },
      script: { connectorStates: ["RUNNING", "FINISHED_ERRORS"] },
    });

    const message = `EC2 connector "aws-prod" run ended FINISHED_ERRORS; its instances may be out of date, so no scan was launched`;
    expect(result).toMatchObject({
      verdict: "error",
      exitCode: 3,
      reason: `error: ${message}`,
      error: { kind: "connector", message },
    });
    expect(api.calls).toEqual([
      "findConnector aws-prod",
      "runConnector 42",
      "connectorState 42",
      "connectorState 42",
    ]);
    expect(api.launches).toEqual([]);
  });

  it("a connector that refuses to run because it is disabled is an error, exit 3", async () => {
    const { result, api } = await gate({
      options: { ips: [], ec2: ec2({ runConnector: true }) },
      script: { runConnector: "DISABLED" },
    });

    expect(result).toMatchObject({
      verdict: "error",
      exitCode: 3,
      error: { kind: "connector", message: `EC2 connector "aws-prod" refused to run: it is disabled` },
    });
    expect(api.calls).toEqual(["findConnector aws-prod", "runConnector 42"]);
  });

  it("a timeout while the connector runs is incomplete, and nothing is launched", async () => {
    const { result, api } = await gate({
      options: { ips: [], ec2: ec2({ runConnector: true }), timeoutMs: 3 * MINUTE },
      script: { connectorStates: ["RUNNING"] },
    });

    const reason = `timed out waiting for EC2 connector "aws-prod" to finish; no scan was launched`;
    expect(result).toMatchObject({ verdict: "incomplete", exitCode: 2, reason: `incomplete: ${reason}` });
    expect(api.calls).toEqual([
      "findConnector aws-prod",
      "runConnector 42",
      ...Array<string>(4).fill("connectorState 42"),
    ]);
    expect(api.launches).toEqual([]);
  });

  it.each<{ what: string; instances: Record<string, string | undefined>; problem: string }>([
    {
      what: "STOPPED",
      instances: { "i-0abc": "RUNNING", "i-0def": "STOPPED" },
      problem: "EC2 instance i-0def is STOPPED, not running",
    },
    {
      what: "not known to the connector",
      instances: { "i-0abc": "running" },
      problem: 'EC2 instance i-0def is not known to connector "aws-prod" (run it with ec2.runConnector)',
    },
    {
      what: "known without a state",
      instances: { "i-0abc": "RUNNING", "i-0def": undefined },
      problem: "EC2 instance i-0def is in an unknown state, not running",
    },
  ])("an instance $what is incomplete, and nothing is launched", async (row) => {
    const { result, api } = await gate({
      options: { ips: [], ec2: ec2() },
      script: { instances: row.instances },
    });

    const reason = `${row.problem}; no scan was launched`;
    expect(result).toMatchObject({
      verdict: "incomplete",
      exitCode: 2,
      reason: `incomplete: ${reason}`,
      incomplete: { reason, handling: "fail" },
    });
    expect(result.scan).toMatchObject({ id: "", name: SCAN_NAME, target: { id: "i-0abc,i-0def" } });
    expect(api.calls).toEqual(["findConnector aws-prod", "instanceStates i-0abc,i-0def"]);
    expect(api.launches).toEqual([]);
  });
});

describe("runVmGate: --no-wait and --scan-ref", () => {
  it("--no-wait returns the launched scan without a state call", async () => {
    const { outcome, api, clock } = await run({ options: { noWait: true } });

    const launched: LaunchedVmScan = {
      kind: "launched",
      scanRef: REF,
      name: SCAN_NAME,
      target: "10.0.0.5,10.0.0.6",
    };
    expect(outcome).toStrictEqual(launched);
    expect(api.calls).toEqual(LAUNCH_CALLS);
    expect(clock.sleeps).toEqual([]);
  });

  it("--scan-ref: no launch and no connector; the scan is polled and fetched, named by its title", async () => {
    const other = "scan/1764000000.99999";
    const { result, api, events } = await gate({
      options: { scanRef: other, ips: [], ec2: ec2({ runConnector: true }) },
      script: {
        states: { [other]: ["Running", { state: "Finished", title: "nightly hosts" }] },
        results: { [other]: scanResults([row(38001, { severity: 5 })]) },
      },
    });

    expect(result).toMatchObject({ verdict: "failed", exitCode: 1, warnings: [] });
    expect(result.scan).toMatchObject({ id: other, reference: other, name: "nightly hosts" });
    expect(api.calls).toEqual([`state ${other}`, `state ${other}`, `results ${other}`]);
    expect(api.launches).toEqual([]);
    expect(events[0]).toEqual({ kind: "attached", scanId: other, why: "scanRef" });
  });

  it("--scan-ref: the hosts are the ones the scan targets, also those that gave no row", async () => {
    const other = "scan/1764000000.99999";
    const { result } = await gate({
      options: { scanRef: other, ips: [] },
      script: {
        states: {
          [other]: [
            { state: "Finished", target: "10.0.0.5, 10.0.0.7", launchDatetime: "2026-12-07T10:00:00Z" },
          ],
        },
        results: { [other]: scanResults([row(38001, { severity: 5 })]) },
      },
    });

    expect(result.scan?.target).toEqual({ id: "10.0.0.5,10.0.0.7", name: undefined, url: undefined });
    expect(result.scan?.launchedDate).toBe("2026-12-07T10:00:00Z");
    expect(result.hosts?.map((host) => host.ip)).toEqual(["10.0.0.5", "10.0.0.7"]);
  });

  it("--scan-ref: without a target in the scan list, the hosts come from the results' summary", async () => {
    const other = "scan/1764000000.99999";
    const { result } = await gate({
      options: { scanRef: other, ips: [] },
      script: {
        states: { [other]: ["Finished"] },
        results: {
          [other]: scanResults([row(38001, { severity: 5 })], {
            summary: {
              status: "Finished",
              launch_date: "12/07/2026 10:00:00",
              duration: "00:30:00",
              ips: "10.0.0.5, 10.0.0.6",
            },
          }),
        },
      },
    });

    expect(result.scan?.target.id).toBe("10.0.0.5,10.0.0.6");
    // The summary's US date, shown like every other date: ISO 8601, UTC.
    expect(result.scan?.launchedDate).toBe("2026-12-07T10:00:00Z");
  });

  it("--scan-ref: a timeout leaves the scan it gates running (this run did not launch it)", async () => {
    const other = "scan/1764000000.99999";
    const { result, api } = await gate({
      options: { scanRef: other, timeoutMs: MINUTE },
      script: { states: { [other]: ["Running"] } },
    });

    expect(result.reason).toBe(
      `incomplete: timed out after 60s while polling; scan ${other} was not launched by this run, so it was left running (onTimeout cancel-attached cancels it); gate it later with scanRef ${other}`,
    );
    expect(api.calls).toEqual([`state ${other}`, `state ${other}`]);
  });

  it("--scan-ref with --on-timeout cancel-attached: a timeout cancels the scan it gates", async () => {
    const other = "scan/1764000000.99999";
    const { result, api } = await gate({
      options: { scanRef: other, timeoutMs: MINUTE, onTimeout: "cancel-attached" },
      script: { states: { [other]: ["Running"] } },
    });

    expect(result.reason).toBe(`incomplete: timed out after 60s while polling; scan ${other} cancelled`);
    expect(api.calls).toEqual([`state ${other}`, `state ${other}`, `cancel ${other}`]);
  });
});

describe("toIsoUtc", () => {
  it.each([
    ["12/07/2026 10:00:00", "2026-12-07T10:00:00Z"],
    ["01/31/2027 23:59", "2027-01-31T23:59:00Z"],
    ["2026-12-07T10:00:00Z", "2026-12-07T10:00:00Z"],
    ["2026-12-07T11:00:00+01:00", "2026-12-07T10:00:00Z"],
    ["yesterday", undefined],
    ["13/45/2026 10:00:00", undefined],
    [undefined, undefined],
  ])("%s -> %s", (text, iso) => {
    expect(toIsoUtc(text)).toBe(iso);
  });
});
