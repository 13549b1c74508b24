/**
 * The Jenkins shared library (integrations/jenkins) under Groovy 2.4, the Groovy of Jenkins pipelines: each
 * vars/ step loaded by a pipeline double (test/harness/run-steps.groovy) whose `sh` really runs, so the steps run
 * the real qualys-connector (the bundle built for this test run, as `qualys-connector` on PATH) against the
 * simulator. Asserted: the build result for every exit code, the recorded junit/SARIF/artifact/HTML calls, the
 * optional plugins detected, the parameters refused, hostile values that cannot reach the shell as code, and a
 * password (itself hostile) that never appears in any step's arguments, the shell's output or the reports.
 *
 * Groovy is Debian's `groovy` package; the test skips where it is missing, and fails when CI=true (.ci/run
 * installs it).
 */

import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliArgv } from "../../../test/cli-process.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const library = path.resolve(here, "..");
const GROOVY = "/usr/bin/groovy";
/** Groovy 2.4 runs on Java 17, Debian's default JDK; elsewhere groovy finds its Java on its own. */
const JAVA_17 = "/usr/lib/jvm/java-17-openjdk-amd64";

function groovyAvailable(): boolean {
  if (existsSync(GROOVY)) return true;
  if (process.env.CI === "true")
    throw new Error(`${GROOVY} is missing: CI must run the Jenkins library tests (.ci/run installs groovy)`);
  return false;
}
const available = groovyAvailable();

/** The Jenkins credential's password: hostile to a shell and to Groovy, so a leak or an expansion shows. */
const PASSWORD = `pa'ss"w$(touch PWNED-password)\`id\`rd`;
const USERNAME = "jenkins_bot";

interface Call {
  step: string;
  args: unknown[];
}
interface Outcome {
  result: "SUCCESS" | "UNSTABLE" | "FAILURE";
  error?: string;
  exception?: string;
  returned?: unknown;
  calls: Call[];
  echoes: string[];
  shLog: string;
}
interface Scenario {
  name: string;
  step?: "qualysWasScan" | "qualysVmScan" | "qualysTestConnection";
  /** Only read the parameters into the CLI's arguments (QualysGate's wasPlan, vmPlan or doctorPlan). */
  plan?: Reader;
  params: Record<string, unknown>;
  plugins?: ("warnings-ng" | "htmlpublisher")[];
  workspace?: string;
}

/**
 * The parameter mapping of the library's README, read into the CLI's arguments without running anything: name,
 * reader, the plugin's parameters, and the arguments expected (or the refusal's message).
 */
type Reader = "wasPlan" | "vmPlan" | "doctorPlan";
const MAPPINGS: [string, Reader, Record<string, unknown>, string[] | RegExp][] = [
  [
    "map-was",
    "wasPlan",
    {
      platform: "EU_PLATFORM_2",
      credsId: "qualys-api",
      useProxy: true,
      proxyServer: "proxy.example.test",
      proxyPort: 3128,
      webAppId: 42,
      scanName: "[job_name]_jenkins_build_[build_number]",
      scanType: "DISCOVERY",
      authRecord: "other",
      authRecordId: "77",
      optionProfile: "other",
      optionProfileId: "2802136",
      cancelOptions: "xhours",
      cancelHours: "1",
      pollingInterval: "5",
      vulnsTimeout: "2*60",
      isSev4Vulns: true,
      severity4Limit: 1,
      isSev5Vulns: true,
      severity5Limit: 0,
      isSev3Vulns: false,
      severity3Limit: 9,
      isFailOnQidFound: true,
      qidList: "150000-150100, 150263",
      failOnScanError: false,
      reportDir: "was-out",
      policy: "gate-policy.yaml",
      extraArgs: ["--on-running", "wait"],
    },
    [
      "scan",
      "was",
      "--webapp",
      "42",
      "--scan-name",
      "{pipeline}_jenkins_build_{build}",
      "--type",
      "DISCOVERY",
      "--auth-record",
      "77",
      "--option-profile",
      "2802136",
      "--cancel-after-hours",
      "1",
      "--poll-interval",
      "5",
      "--timeout",
      "2*60",
      "--max-severity-count",
      "5=0,4=1",
      "--fail-on-qids",
      "150000-150100, 150263",
      "--on-incomplete",
      "warn",
      "--platform",
      "EU2",
      "--proxy",
      "http://proxy.example.test:3128",
      "--report-dir",
      "was-out",
      "--html-mode",
      "strict",
      "--policy",
      "gate-policy.yaml",
      "--on-running",
      "wait",
    ],
  ],
  [
    "map-was-defaults",
    "wasPlan",
    {
      platform: "PCP",
      apiServer: "https://qualysapi.example.test",
      webAppId: "shop",
      authRecord: "useDefault",
    },
    [
      "scan",
      "was",
      "--webapp",
      "shop",
      "--auth-record",
      "default",
      "--api-url",
      "https://qualysapi.example.test",
      "--report-dir",
      "qualys-results",
      "--html-mode",
      "strict",
    ],
  ],
  [
    "map-vm",
    "vmPlan",
    {
      platform: "US2",
      useHost: true,
      hostIp: "10.0.0.5",
      network: "12",
      scannerName: "All Scanners in Network",
      optionProfile: "Initial Options",
      failBySev: true,
      bySev: 3,
      failByQids: true,
      qidList: "38739",
      failByCves: true,
      cveList: "CVE-2021-44228",
      failByCvss: true,
      byCvss: "cvss3_base",
      cvssBase: "9.0",
      failByPci: true,
      evaluatePotentialVulns: true,
      doExclude: true,
      excludeBy: "cve_id",
      excludeList: "CVE-2017-1000116, CVE-2018-2771",
    },
    [
      "scan",
      "vm",
      "--ip",
      "10.0.0.5",
      "--network",
      "12",
      "--scanner",
      "all-in-network",
      "--option-profile",
      "Initial Options",
      "--min-severity",
      "3",
      "--fail-on-qids",
      "38739",
      "--fail-on-cves",
      "CVE-2021-44228",
      "--fail-on-cvss",
      "9.0",
      "--cvss-version",
      "3",
      "--fail-on-pci",
      "--include-potential",
      "--exclude-cves",
      "CVE-2017-1000116, CVE-2018-2771",
      "--platform",
      "US2",
      "--report-dir",
      "qualys-results",
      "--html-mode",
      "strict",
    ],
  ],
  [
    "map-bad-platform",
    "wasPlan",
    { platform: "MARS_PLATFORM", webAppId: "1" },
    /^platform: "MARS_PLATFORM" is not one of US_PLATFORM_1/,
  ],
  [
    "map-report-dir-pattern",
    "wasPlan",
    { webAppId: "1", reportDir: "out dir/$(touch x)" },
    /^reportDir: "out dir\/\$\(touch x\)" must be a folder inside the workspace/,
  ],
  [
    "map-report-dir-outside",
    "vmPlan",
    { useHost: true, hostIp: "10.0.0.5", reportDir: "../elsewhere" },
    /^reportDir: "..\/elsewhere" must be a folder inside the workspace/,
  ],
  [
    "map-report-dir-absolute",
    "wasPlan",
    { webAppId: "1", reportDir: "/tmp/out" },
    /^reportDir: "\/tmp\/out" must be/,
  ],
  ["map-no-webapp", "wasPlan", { isSev5Vulns: true, severity5Limit: 0 }, /^webAppId is required/],
  [
    "map-limit-missing",
    "wasPlan",
    { webAppId: "1", isSev5Vulns: true },
    /^severity5Limit is required with isSev5Vulns/,
  ],
  [
    "map-vm-two-targets",
    "vmPlan",
    { useHost: true, hostIp: "10.0.0.5", useEc2: true, ec2Id: "i-1" },
    /^give one target/,
  ],
  [
    "map-vm-ec2-endpoint",
    "vmPlan",
    { useEc2: true, ec2Id: "i-1", ec2ConnName: "aws" },
    /^ec2Endpoint is required with useEc2/,
  ],
  [
    "map-unknown",
    "doctorPlan",
    { apiServer: "https://q.example.test", webAppId: "1" },
    /^webAppId is not a parameter of qualysTestConnection/,
  ],
];

let sim: RunningSimulator;
const outcomes: Record<string, Outcome> = {};
const workspaces: Record<string, string> = {};

function scenarios(apiUrl: string): Scenario[] {
  const was = { platform: "PCP", apiServer: apiUrl, credsId: "qualys-sim", pollingInterval: "1s" };
  const vm = { apiServer: apiUrl, credsId: "qualys-sim", pollingInterval: "1s" };
  const both: Scenario["plugins"] = ["warnings-ng", "htmlpublisher"];
  return [
    {
      name: "was-pass",
      step: "qualysWasScan",
      params: { ...was, webAppId: "scenario-clean", scanName: "[job_name]_jenkins_build_[build_number]" },
      plugins: both,
    },
    {
      name: "was-fail",
      step: "qualysWasScan",
      params: {
        ...was,
        webAppId: "scenario-vulnerable",
        isSev5Vulns: true,
        severity5Limit: 0,
        isFailOnQidFound: true,
        qidList: "150263",
      },
    },
    {
      name: "was-incomplete",
      step: "qualysWasScan",
      params: { ...was, webAppId: "scenario-error" },
      plugins: both,
    },
    {
      name: "was-incomplete-failure",
      step: "qualysWasScan",
      params: { ...was, webAppId: "scenario-error", incompleteResult: "FAILURE" },
    },
    {
      name: "was-bad-credentials",
      step: "qualysWasScan",
      params: { ...was, credsId: "qualys-wrong", webAppId: "scenario-clean" },
    },
    {
      name: "was-hostile",
      step: "qualysWasScan",
      params: {
        ...was,
        webAppId: "shop'; touch PWNED-webapp; echo '",
        scanName: '$(touch PWNED-scan)`touch PWNED-tick`"; touch PWNED-dq; \\',
      },
    },
    {
      name: "was-refused",
      step: "qualysWasScan",
      params: { ...was, webAppId: "scenario-clean", password: PASSWORD, proxyCredentialsId: "proxy" },
    },
    {
      name: "vm-pass",
      step: "qualysVmScan",
      params: { ...vm, useHost: true, hostIp: "10.250.0.1", failBySev: true, bySev: 4 },
      plugins: both,
    },
    {
      name: "vm-fail",
      step: "qualysVmScan",
      params: { ...vm, useHost: true, hostIp: "10.250.0.2", failBySev: true, bySev: 4, failByPci: true },
    },
    {
      name: "vm-refused",
      step: "qualysVmScan",
      params: { ...vm, useHost: true, hostIp: "10.250.0.1", webhookUrl: "https://hooks.invalid/x" },
    },
    {
      name: "vm-ec2-pass",
      step: "qualysVmScan",
      params: {
        ...vm,
        useEc2: true,
        ec2Id: "env.INSTANCE_ID",
        ec2ConnDetails: '{"scenario-ec2":{"awsAccountId":"123456789012","id":7,"connectorState":"SUCCESS"}}',
        ec2Endpoint: "us-east-1",
        runConnector: true,
      },
    },
    ...MAPPINGS.map(([name, plan, params]) => ({ name, plan, params })),
    {
      name: "connection-ok",
      step: "qualysTestConnection",
      params: { apiServer: apiUrl, credsId: "qualys-sim" },
    },
    {
      name: "connection-bad-credentials",
      step: "qualysTestConnection",
      params: { apiServer: apiUrl, credsId: "qualys-wrong" },
    },
  ];
}

/** Runs the scenarios in one Groovy process (a JVM start per scenario would cost more than the runs). */
function runGroovy(plan: object[], out: string): Promise<{ code: number | null; stderr: string }> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "qualys-jenkins-plan-")), "scenarios.json");
  writeFileSync(file, JSON.stringify(plan));
  const child = spawn(
    GROOVY,
    [path.join(here, "harness/run-steps.groovy"), library, path.join(here, "stubs"), file, out],
    {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        ...(existsSync(JAVA_17) ? { JAVA_HOME: JAVA_17 } : {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.resume();
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr })));
}

beforeAll(async () => {
  if (!available) return;
  sim = await startSimulator({ port: 0, scanDurationMs: 1000, username: USERNAME, password: PASSWORD });
  // `qualys-connector` on PATH, as `npm install -g qualys-connector` puts it there.
  const bin = mkdtempSync(path.join(tmpdir(), "qualys-jenkins-bin-"));
  const cli = cliArgv([]);
  const shim = path.join(bin, "qualys-connector");
  writeFileSync(shim, `#!/bin/sh\nexec '${cli.command}' '${cli.args[0]}' "$@"\n`);
  chmodSync(shim, 0o755);
  const plan = scenarios(sim.url).map((scenario) => {
    const workspace = mkdtempSync(path.join(tmpdir(), `qualys-jenkins-${scenario.name}-`));
    workspaces[scenario.name] = workspace;
    return {
      ...scenario,
      workspace,
      env: {
        PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
        HOME: workspace,
        JENKINS_URL: "http://jenkins.invalid/",
        JOB_NAME: "shop",
        BUILD_NUMBER: "7",
        WORKSPACE: workspace,
        INSTANCE_ID: "i-0000000000000clean",
      },
      credentials: {
        "qualys-sim": { username: USERNAME, password: PASSWORD },
        "qualys-wrong": { username: USERNAME, password: "not-the-password" },
      },
    };
  });
  const out = path.join(mkdtempSync(path.join(tmpdir(), "qualys-jenkins-out-")), "outcomes.json");
  const run = await runGroovy(plan, out);
  if (run.code !== 0) throw new Error(`groovy exited ${run.code}: ${run.stderr}`);
  Object.assign(outcomes, JSON.parse(readFileSync(out, "utf8")) as Record<string, Outcome>);
}, 600_000);

afterAll(async () => {
  await sim?.close();
});

const callsOf = (outcome: Outcome | undefined, step: string) =>
  (outcome?.calls ?? []).filter((call) => call.step === step).map((call) => call.args[0]);

/** Every file below `dir`, with its text. */
function filesBelow(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return { file, text: readFileSync(file, "utf8") };
    });
}

describe.skipIf(!available)("the Jenkins library's steps in a pipeline double, running the real CLI", () => {
  it("qualysWasScan passes: SUCCESS, credentials bound by credsId, every output recorded, report.html strict", () => {
    const outcome = outcomes["was-pass"];
    expect(outcome?.exception).toBeUndefined();
    expect(outcome?.error).toBeUndefined();
    expect(outcome?.result).toBe("SUCCESS");
    expect(outcome?.returned).toEqual({ exitCode: 0, verdict: "passed", reportDir: "qualys-results" });
    expect(callsOf(outcome, "withCredentials")).toEqual([
      [
        {
          kind: "usernamePassword",
          credentialsId: "qualys-sim",
          usernameVariable: "QUALYS_USERNAME",
          passwordVariable: "QUALYS_PASSWORD",
        },
      ],
    ]);
    expect(callsOf(outcome, "junit")).toEqual([
      { testResults: "qualys-results/junit.xml", allowEmptyResults: true, skipMarkingBuildUnstable: true },
    ]);
    expect(callsOf(outcome, "sarif")).toEqual([
      { pattern: "qualys-results/results.sarif", id: "qualys-was", name: "Qualys WAS" },
    ]);
    expect(callsOf(outcome, "recordIssues")).toEqual([
      {
        tools: [
          { tool: "sarif", pattern: "qualys-results/results.sarif", id: "qualys-was", name: "Qualys WAS" },
        ],
        enabledForFailure: true,
      },
    ]);
    expect(callsOf(outcome, "archiveArtifacts")).toEqual([
      { artifacts: "qualys-results/**", allowEmptyArchive: true },
    ]);
    expect(callsOf(outcome, "publishHTML")).toEqual([
      {
        target: {
          reportDir: "qualys-results",
          reportFiles: "report.html",
          reportName: "Qualys WAS report",
          keepAll: true,
          alwaysLinkToLastBuild: true,
          allowMissing: true,
        },
      },
    ]);
    const dir = path.join(workspaces["was-pass"] ?? "", "qualys-results");
    expect(readdirSync(dir).sort()).toEqual([
      "junit.xml",
      "qualys-connector.log",
      "report.css",
      "report.html",
      "result.json",
      "results.sarif",
      "summary.md",
    ]);
    expect(readFileSync(path.join(dir, "report.html"), "utf8")).toContain('href="report.css"');
    // The plugin's scan name template, with its variables from the Jenkins environment.
    const result = JSON.parse(readFileSync(path.join(dir, "result.json"), "utf8"));
    expect(result.scan.name).toMatch(/^shop_jenkins_build_7_/);
  });

  it("qualysWasScan fails on its criteria: FAILURE with the verdict; outputs recorded, missing plugins named", () => {
    const outcome = outcomes["was-fail"];
    expect(outcome?.exception).toBeUndefined();
    expect(outcome?.result).toBe("FAILURE");
    expect(outcome?.error).toMatch(/^Qualys WAS gate failed \(exit 1\): .+/);
    const sh = callsOf(outcome, "sh")[0] as { script: string };
    expect(sh.script).toContain("'--max-severity-count' '5=0' '--fail-on-qids' '150263'");
    expect(callsOf(outcome, "junit")).toHaveLength(1);
    expect(callsOf(outcome, "archiveArtifacts")).toHaveLength(1);
    expect(callsOf(outcome, "recordIssues")).toEqual([]);
    expect(outcome?.echoes).toContain(
      "qualysWasScan: Warnings NG is not installed: results.sarif is archived, not recorded",
    );
    expect(outcome?.echoes).toContain(
      "qualysWasScan: HTML Publisher is not installed: report.html is archived, not linked",
    );
    const junit = readFileSync(path.join(workspaces["was-fail"] ?? "", "qualys-results/junit.xml"), "utf8");
    expect(junit).toContain("<failure");
  });

  it("an incomplete scan (exit 2) marks the build UNSTABLE and the pipeline goes on", () => {
    const outcome = outcomes["was-incomplete"];
    expect(outcome?.exception).toBeUndefined();
    expect(outcome?.error).toBeUndefined();
    expect(outcome?.result).toBe("UNSTABLE");
    expect(callsOf(outcome, "unstable")).toHaveLength(1);
    expect(String(callsOf(outcome, "unstable")[0])).toMatch(/^Qualys WAS scan incomplete \(exit 2\): /);
    expect(outcome?.returned).toEqual({ exitCode: 2, verdict: "incomplete", reportDir: "qualys-results" });
    expect(callsOf(outcome, "recordIssues")).toHaveLength(1);
  });

  it("an incomplete scan fails the build with incompleteResult: 'FAILURE'", () => {
    const outcome = outcomes["was-incomplete-failure"];
    expect(outcome?.result).toBe("FAILURE");
    expect(outcome?.error).toMatch(/^Qualys WAS scan incomplete \(exit 2\): /);
    expect(callsOf(outcome, "unstable")).toEqual([]);
  });

  it("a tool error (exit 3, wrong credentials) fails the step with the CLI's message", () => {
    const outcome = outcomes["was-bad-credentials"];
    expect(outcome?.result).toBe("FAILURE");
    expect(outcome?.error).toMatch(/^Qualys WAS gate: tool error \(exit 3\): error: .+/);
    expect(callsOf(outcome, "junit")).toHaveLength(1);
  });

  it("hostile parameter values reach the CLI as values: nothing runs, nothing is created", () => {
    const outcome = outcomes["was-hostile"];
    expect(outcome?.exception).toBeUndefined();
    expect(outcome?.result).toBe("FAILURE");
    const workspace = workspaces["was-hostile"] ?? "";
    const created = filesBelow(workspace).map(({ file }) => path.relative(workspace, file));
    expect(created.filter((file) => path.basename(file).startsWith("PWNED"))).toEqual([]);
    expect(readdirSync(process.cwd()).filter((name) => name.startsWith("PWNED"))).toEqual([]);
    // The web app was looked up by its literal name.
    expect(outcome?.error).toContain("shop'; touch PWNED-webapp; echo '");
  });

  it("parameters with no equivalent, and secrets as parameters, are refused before anything runs", () => {
    const refused = outcomes["was-refused"];
    expect(refused?.result).toBe("FAILURE");
    expect(refused?.error).toMatch(/^qualysWasScan: password: a secret is never a step parameter/);
    expect(refused?.error).toContain("proxyCredentialsId has no equivalent");
    expect(callsOf(refused, "sh")).toEqual([]);
    const vm = outcomes["vm-refused"];
    expect(vm?.result).toBe("FAILURE");
    expect(vm?.error).toMatch(/^qualysVmScan: webhookUrl has no equivalent/);
    expect(callsOf(vm, "sh")).toEqual([]);
  });

  it("qualysVmScan passes on a clean host and fails on a vulnerable one", () => {
    const pass = outcomes["vm-pass"];
    expect(pass?.exception).toBeUndefined();
    expect(pass?.error).toBeUndefined();
    expect(pass?.result).toBe("SUCCESS");
    expect(callsOf(pass, "sarif")).toEqual([
      { pattern: "qualys-results/results.sarif", id: "qualys-vm", name: "Qualys VM" },
    ]);
    const fail = outcomes["vm-fail"];
    expect(fail?.result).toBe("FAILURE");
    expect(fail?.error).toMatch(/^Qualys VM gate failed \(exit 1\): /);
    const sh = callsOf(fail, "sh")[0] as { script: string };
    expect(sh.script).toContain("'scan' 'vm' '--ip' '10.250.0.2'");
    expect(sh.script).toContain("'--min-severity' '4'");
    expect(sh.script).toContain("'--fail-on-pci'");
  });

  it("qualysVmScan on an EC2 instance: the connector from the plugin's ec2ConnDetails, the id from env.NAME", () => {
    const outcome = outcomes["vm-ec2-pass"];
    expect(outcome?.exception).toBeUndefined();
    expect(outcome?.error).toBeUndefined();
    expect(outcome?.result).toBe("SUCCESS");
    const sh = callsOf(outcome, "sh")[0] as { script: string };
    expect(sh.script).toContain(
      "'--ec2-instance' 'i-0000000000000clean' '--ec2-connector' 'scenario-ec2' '--ec2-endpoint' 'us-east-1' '--run-connector'",
    );
  });

  it.each(MAPPINGS)(
    "the parameters of %s read into the CLI's arguments (%s)",
    (name, _plan, _params, expected) => {
      const outcome = outcomes[name];
      expect(outcome?.exception).toBeUndefined();
      if (expected instanceof RegExp) {
        expect(outcome?.error).toMatch(expected);
        return;
      }
      expect(outcome?.error).toBeUndefined();
      expect((outcome?.returned as { args?: string[] } | undefined)?.args).toEqual(expected);
    },
  );

  it("qualysTestConnection returns true when every check passes, and fails naming the check otherwise", () => {
    const ok = outcomes["connection-ok"];
    expect(ok?.exception).toBeUndefined();
    expect(ok?.error).toBeUndefined();
    expect(ok?.result).toBe("SUCCESS");
    expect(ok?.returned).toBe(true);
    expect((callsOf(ok, "sh")[0] as { script: string }).script).toContain("'qualys-connector' 'doctor'");
    const bad = outcomes["connection-bad-credentials"];
    expect(bad?.result).toBe("FAILURE");
    expect(bad?.error).toMatch(/^Qualys connection test failed \(exit 3\): ✗ /);
  });

  it("the password reaches no step's arguments, no shell output, no report, and is never expanded", () => {
    expect(Object.keys(outcomes).sort()).toEqual(
      scenarios("x")
        .map((s) => s.name)
        .sort(),
    );
    for (const [name, outcome] of Object.entries(outcomes)) {
      const text = JSON.stringify({ ...outcome, shLog: undefined });
      expect(text.includes(PASSWORD), `${name}: step arguments`).toBe(false);
      expect(outcome.shLog.includes(PASSWORD), `${name}: shell output`).toBe(false);
      const workspace = workspaces[name] ?? "";
      for (const { file, text: content } of filesBelow(workspace))
        expect(content.includes(PASSWORD), `${name}: ${file}`).toBe(false);
      expect(existsSync(path.join(workspace, "PWNED-password")), `${name}: expanded`).toBe(false);
    }
    // The credential did reach the CLI: the passing runs authenticated with it.
    expect(outcomes["was-pass"]?.result).toBe("SUCCESS");
  });
});
