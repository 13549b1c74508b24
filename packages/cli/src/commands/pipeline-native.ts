/**
 * The native steps `pipeline-snippet` prints by default: the scan flags translated into the inputs of each CI
 * system's own integration, which runs the installed `qualys-connector` package. The GitHub action
 * (integrations/github-action/action.yml), the GitLab CI/CD components (integrations/gitlab/templates), the Jenkins
 * shared library steps qualysWasScan / qualysVmScan (integrations/jenkins, the parameters of Qualys' Jenkins
 * plugins) and the Azure DevOps tasks QualysWasScan / QualysVmScan (integrations/azure-devops/tasks/*\/task.json).
 * A flag an integration has no input for is refused with a pointer to `--shell`, never dropped.
 */

import { UsageError } from "../exit-codes.js";

export type NativeCi = "jenkins" | "azure" | "github" | "gitlab";
export type NativeGate = "was" | "vm";

export interface NativeFlag {
  flag: string;
  value: string | undefined;
}

/** One input of a native step: a text, a boolean, or a list (Jenkins `extraArgs`). */
export type NativeValue = string | boolean | string[];
export type NativeInputs = [name: string, value: NativeValue][];

/** The credential variables the step maps from the CI system's secret store. */
export interface NativeCredentials {
  user: string;
  secret: string;
  oauth: boolean;
}

function refuse(ci: string, flags: readonly string[], why: string): never {
  throw new UsageError(
    `${flags.join(", ")}: ${why}; drop ${flags.length === 1 ? "it" : "them"}, or print the shell form with --shell (--ci ${ci})`,
  );
}

/** The flags as name -> value (a flag given twice: the last value, except the list flags, which add up). */
function collect(flags: readonly NativeFlag[]): Map<string, string | undefined> {
  const LISTS = new Set(["--ip", "--ec2-instance"]);
  const map = new Map<string, string | undefined>();
  for (const { flag, value } of flags) {
    const before = map.get(flag);
    map.set(flag, LISTS.has(flag) && before ? `${before},${value ?? ""}` : value);
  }
  return map;
}

// ---------------------------------------------------------------------------------------------------- GitHub

/**
 * The inputs of the GitHub action (integrations/github-action/action.yml) that are scan flags, named after them;
 * the action's other inputs are `gate`, the secrets and its own `incomplete-as`.
 */
export const GITHUB_FLAG_INPUTS: readonly string[] = [
  "api-url",
  "platform",
  "gateway-url",
  "username",
  "auth",
  "proxy",
  "ca-file",
  "request-timeout",
  "webapp",
  "scan-id",
  "type",
  "auth-record",
  "cancel-after-hours",
  "on-running",
  "ip",
  "network",
  "ec2-instance",
  "ec2-connector",
  "ec2-endpoint",
  "run-connector",
  "scan-ref",
  "scan-name",
  "option-profile",
  "scanner",
  "poll-interval",
  "timeout",
  "on-timeout",
  "max-poll-failures",
  "policy",
  "max-severity-count",
  "min-severity",
  "fail-on-qids",
  "exclude-qids",
  "on-incomplete",
  "baseline",
  "fail-on-cves",
  "fail-on-cvss",
  "cvss-version",
  "fail-on-pci",
  "include-potential",
  "exclude-cves",
  "report-dir",
];

/** The GitHub action's inputs: `gate`, then each flag without its dashes (booleans as "true"). */
export function githubInputs(gate: NativeGate, flags: readonly NativeFlag[]): NativeInputs {
  const known = new Set(GITHUB_FLAG_INPUTS);
  const refused = [...collect(flags).keys()].filter((flag) => !known.has(flag.slice(2)));
  if (refused.length > 0) refuse("github", refused, "the GitHub action has no input for this");
  const inputs: NativeInputs = [["gate", gate]];
  for (const [flag, value] of collect(flags)) inputs.push([flag.slice(2), value ?? "true"]);
  return inputs;
}

// ---------------------------------------------------------------------------------------------------- GitLab

/** The inputs of the GitLab components that are scan flags (the rest: job-name, stage, version, image, …). */
export const GITLAB_FLAG_INPUTS: Readonly<Record<NativeGate, readonly string[]>> = {
  was: [
    "webapp",
    "scan-id",
    "scan-name",
    "type",
    "auth-record",
    "option-profile",
    "scanner",
    "cancel-after-hours",
    "poll-interval",
    "timeout",
    "on-timeout",
    "on-running",
    "max-poll-failures",
    "policy",
    "max-severity-count",
    "min-severity",
    "fail-on-qids",
    "exclude-qids",
    "on-incomplete",
    "baseline",
    "report-dir",
    "platform",
    "api-url",
    "auth",
    "ca-file",
  ],
  vm: [
    "ip",
    "network",
    "ec2-instance",
    "ec2-connector",
    "ec2-endpoint",
    "run-connector",
    "scan-ref",
    "scan-name",
    "option-profile",
    "scanner",
    "poll-interval",
    "timeout",
    "on-timeout",
    "max-poll-failures",
    "policy",
    "max-severity-count",
    "min-severity",
    "fail-on-qids",
    "exclude-qids",
    "on-incomplete",
    "baseline",
    "fail-on-cves",
    "fail-on-cvss",
    "cvss-version",
    "fail-on-pci",
    "include-potential",
    "exclude-cves",
    "report-dir",
    "platform",
    "api-url",
    "auth",
    "ca-file",
  ],
};

/** The GitLab component's inputs: each flag as the input of the same name (booleans typed). */
export function gitlabInputs(gate: NativeGate, flags: readonly NativeFlag[]): NativeInputs {
  const known = new Set(GITLAB_FLAG_INPUTS[gate]);
  const refused = [...collect(flags).keys()].filter((flag) => !known.has(flag.slice(2)));
  if (refused.length > 0) refuse("gitlab", refused, "the GitLab component has no input for this");
  return [...collect(flags)].map(([flag, value]) => [flag.slice(2), value ?? true]);
}

// ---------------------------------------------------------------------------------------------------- Jenkins

/** Severity criteria `5=0,4=2` as [severity, limit] pairs; undefined when the text is not in that form. */
function severityCounts(text: string): [number, string][] | undefined {
  const pairs = text.split(",").map((part) => /^\s*([1-5])\s*=\s*(\d+)\s*$/.exec(part));
  if (pairs.some((m) => m === null)) return undefined;
  return pairs.map((m) => [Number(m?.[1]), m?.[2] ?? "0"]);
}

/** Counts per severity from --max-severity-count and --min-severity (N or higher: a limit of 0). */
function severityLimits(values: Map<string, string | undefined>): Map<number, string> | undefined {
  const limits = new Map<number, string>();
  const counts = values.get("--max-severity-count");
  if (counts !== undefined) {
    const pairs = severityCounts(counts);
    if (pairs === undefined) return undefined;
    for (const [severity, limit] of pairs) limits.set(severity, limit);
  }
  const min = values.get("--min-severity");
  if (min !== undefined) {
    if (!/^\s*[1-5]\s*$/.test(min)) return undefined;
    for (let severity = Number(min); severity <= 5; severity += 1) limits.set(severity, "0");
  }
  return limits;
}

/**
 * The parameters of the Jenkins library steps (those of Qualys' qualysWASScan and qualysVulnerabilityAnalyzer
 * steps), `credsId` first; every flag without a parameter goes to `extraArgs` as it is.
 */
export function jenkinsInputs(
  gate: NativeGate,
  flags: readonly NativeFlag[],
  credentialsId: string,
): NativeInputs {
  const values = collect(flags);
  const inputs: NativeInputs = [["credsId", credentialsId]];
  const used = new Set<string>();
  const take = (flag: string): string | undefined => {
    if (!values.has(flag)) return undefined;
    used.add(flag);
    return values.get(flag) ?? "";
  };
  const has = (flag: string) => values.has(flag);
  if (gate === "was") {
    const webApp = take("--webapp");
    if (webApp !== undefined) inputs.push(["webAppId", webApp]);
    const name = take("--scan-name");
    if (name !== undefined) inputs.push(["scanName", name]);
    const type = take("--type");
    if (type !== undefined) inputs.push(["scanType", type]);
    const record = take("--auth-record");
    if (record !== undefined) {
      const word = record.trim().toLowerCase();
      if (word === "none" || word === "default")
        inputs.push(["authRecord", word === "none" ? "none" : "useDefault"]);
      else inputs.push(["authRecord", "other"], ["authRecordId", record]);
    }
    const profile = take("--option-profile");
    if (profile !== undefined && profile.trim().toLowerCase() !== "default")
      inputs.push(["optionProfile", "other"], ["optionProfileId", profile]);
    const hours = take("--cancel-after-hours");
    if (hours !== undefined) inputs.push(["cancelOptions", "xhours"], ["cancelHours", hours]);
  } else {
    const ip = take("--ip");
    if (ip !== undefined) inputs.push(["useHost", true], ["hostIp", ip]);
    const network = take("--network");
    if (network !== undefined) inputs.push(["network", network]);
    const ec2 = take("--ec2-instance");
    if (ec2 !== undefined) inputs.push(["useEc2", true], ["ec2Id", ec2]);
    const connector = take("--ec2-connector");
    if (connector !== undefined) inputs.push(["ec2ConnName", connector]);
    const endpoint = take("--ec2-endpoint");
    if (endpoint !== undefined) inputs.push(["ec2Endpoint", endpoint]);
    if (take("--run-connector") !== undefined) inputs.push(["runConnector", true]);
    const scanner = take("--scanner");
    if (scanner !== undefined)
      inputs.push(["scannerName", scanner === "all-in-network" ? "All Scanners in Network" : scanner]);
    const profile = take("--option-profile");
    if (profile !== undefined) inputs.push(["optionProfile", profile]);
    const name = take("--scan-name");
    if (name !== undefined) inputs.push(["scanName", name]);
  }
  const poll = take("--poll-interval");
  if (poll !== undefined) inputs.push(["pollingInterval", poll]);
  const timeout = take("--timeout");
  if (timeout !== undefined) inputs.push(["vulnsTimeout", timeout]);
  if (gate === "was") {
    const limits = severityLimits(values);
    if (limits !== undefined && (has("--max-severity-count") || has("--min-severity"))) {
      take("--max-severity-count");
      take("--min-severity");
      for (const severity of [5, 4, 3, 2, 1]) {
        const limit = limits.get(severity);
        if (limit !== undefined)
          inputs.push([`isSev${severity}Vulns`, true], [`severity${severity}Limit`, limit]);
      }
    }
    const qids = take("--fail-on-qids");
    if (qids !== undefined) inputs.push(["isFailOnQidFound", true], ["qidList", qids]);
    const incomplete = take("--on-incomplete");
    if (incomplete !== undefined && incomplete.trim().toLowerCase() === "warn")
      inputs.push(["failOnScanError", false]);
    else if (incomplete !== undefined) used.delete("--on-incomplete");
  } else {
    const min = take("--min-severity");
    if (min !== undefined) inputs.push(["failBySev", true], ["bySev", min]);
    const qids = take("--fail-on-qids");
    if (qids !== undefined) inputs.push(["failByQids", true], ["qidList", qids]);
    const cves = take("--fail-on-cves");
    if (cves !== undefined) inputs.push(["failByCves", true], ["cveList", cves]);
    const cvss = take("--fail-on-cvss");
    if (cvss !== undefined) {
      inputs.push(["failByCvss", true], ["cvssBase", cvss]);
      const version = values.get("--cvss-version")?.trim().toLowerCase();
      if (version === "2" || version === "3") {
        take("--cvss-version");
        inputs.push(["byCvss", version === "2" ? "cvss_base" : "cvss3_base"]);
      } else if (version === "max") take("--cvss-version");
    }
    if (take("--fail-on-pci") !== undefined) inputs.push(["failByPci", true]);
    if (take("--include-potential") !== undefined) inputs.push(["evaluatePotentialVulns", true]);
    const excludeQids = take("--exclude-qids");
    if (excludeQids !== undefined)
      inputs.push(["doExclude", true], ["excludeBy", "qid"], ["excludeList", excludeQids]);
    else {
      const excludeCves = take("--exclude-cves");
      if (excludeCves !== undefined)
        inputs.push(["doExclude", true], ["excludeBy", "cve_id"], ["excludeList", excludeCves]);
    }
  }
  const platform = take("--platform");
  if (platform !== undefined) inputs.push(["platform", platform]);
  const apiUrl = take("--api-url");
  if (apiUrl !== undefined) inputs.push(["apiServer", apiUrl]);
  const policy = take("--policy");
  if (policy !== undefined) inputs.push(["policy", policy]);
  const reportDir = take("--report-dir");
  if (reportDir !== undefined) inputs.push(["reportDir", reportDir]);
  const extra = flags
    .filter(({ flag }) => !used.has(flag))
    .flatMap(({ flag, value }) => (value === undefined ? [flag] : [flag, value]));
  if (extra.length > 0) inputs.push(["extraArgs", extra]);
  return inputs;
}

// ---------------------------------------------------------------------------------------------------- Azure

/** Flags the Azure DevOps tasks take from their service connection instead. */
const AZURE_CONNECTION = new Set([
  "--config",
  "--api-url",
  "--platform",
  "--gateway-url",
  "--username",
  "--password-file",
  "--password-stdin",
  "--auth",
  "--proxy",
  "--ca-file",
  "--insecure",
]);

/** The Azure DevOps task's inputs (QualysWasScan / QualysVmScan task.json), `qualysConnection` first. */
export function azureInputs(
  gate: NativeGate,
  flags: readonly NativeFlag[],
  connection: string,
): NativeInputs {
  const values = collect(flags);
  const connectionFlags = [...values.keys()].filter((flag) => AZURE_CONNECTION.has(flag));
  if (connectionFlags.length > 0)
    refuse(
      "azure",
      connectionFlags,
      "the Azure DevOps task takes the connection from its service connection",
    );
  const inputs: NativeInputs = [["qualysConnection", connection]];
  const used = new Set<string>();
  const take = (flag: string): string | undefined => {
    if (!values.has(flag)) return undefined;
    used.add(flag);
    return values.get(flag) ?? "";
  };
  if (gate === "was") {
    const webApp = take("--webapp");
    if (webApp !== undefined) inputs.push(["webApp", webApp]);
    const name = take("--scan-name");
    if (name !== undefined) inputs.push(["scanName", name]);
    const type = take("--type");
    if (type !== undefined) inputs.push(["scanType", type.trim().toUpperCase()]);
    const record = take("--auth-record");
    if (record !== undefined) {
      const word = record.trim().toLowerCase();
      if (word === "none" || word === "default") inputs.push(["authRecord", word]);
      else inputs.push(["authRecord", "other"], ["authRecordId", record]);
    }
    const profile = take("--option-profile");
    if (profile !== undefined && profile.trim().toLowerCase() !== "default")
      inputs.push(["optionProfile", "other"], ["optionProfileId", profile]);
    const hours = take("--cancel-after-hours");
    if (hours !== undefined) inputs.push(["cancelOption", "after"], ["cancelHours", hours]);
    const scanner = take("--scanner");
    if (scanner !== undefined) inputs.push(["scanner", scanner]);
    const running = take("--on-running");
    if (running !== undefined) inputs.push(["onRunning", running]);
  } else {
    const ip = take("--ip");
    const ec2 = take("--ec2-instance");
    if (ip !== undefined) inputs.push(["targetType", "ip"], ["hostIp", ip]);
    const network = take("--network");
    if (network !== undefined) inputs.push(["networkId", network]);
    if (ec2 !== undefined) inputs.push(["targetType", "ec2"], ["ec2InstanceId", ec2]);
    const connector = take("--ec2-connector");
    if (connector !== undefined) inputs.push(["ec2Connector", connector]);
    const endpoint = take("--ec2-endpoint");
    if (endpoint !== undefined) inputs.push(["ec2Endpoint", endpoint]);
    if (take("--run-connector") !== undefined) inputs.push(["runConnector", true]);
    const name = take("--scan-name");
    if (name !== undefined) inputs.push(["scanName", name]);
    const profile = take("--option-profile");
    if (profile !== undefined) inputs.push(["optionProfile", "other"], ["optionProfileName", profile]);
    const scanner = take("--scanner");
    if (scanner !== undefined) {
      const word = scanner.trim().toLowerCase();
      if (word === "external" || word === "all-in-network") inputs.push(["scannerType", word]);
      else inputs.push(["scannerType", "appliance"], ["scannerAppliance", scanner]);
    }
  }
  const limits = severityLimits(values);
  if (limits !== undefined && (values.has("--max-severity-count") || values.has("--min-severity"))) {
    take("--max-severity-count");
    take("--min-severity");
    for (const severity of [1, 2, 3, 4, 5]) {
      const limit = limits.get(severity);
      if (limit !== undefined) inputs.push([`failBySev${severity}`, true], [`sev${severity}Count`, limit]);
    }
  }
  const qids = take("--fail-on-qids");
  if (qids !== undefined) inputs.push(["failByQids", true], ["qidList", qids]);
  if (gate === "vm") {
    const cves = take("--fail-on-cves");
    if (cves !== undefined) inputs.push(["failByCves", true], ["cveList", cves]);
    const cvss = take("--fail-on-cvss");
    if (cvss !== undefined) inputs.push(["failByCvss", true], ["cvssScore", cvss]);
    const version = take("--cvss-version");
    if (version !== undefined) inputs.push(["cvssVersion", version.trim().toLowerCase()]);
    if (take("--fail-on-pci") !== undefined) inputs.push(["failOnPci", true]);
    if (take("--include-potential") !== undefined) inputs.push(["includePotential", true]);
    const excludeCves = take("--exclude-cves");
    if (excludeCves !== undefined) inputs.push(["excludeCves", excludeCves]);
  }
  const incomplete = take("--on-incomplete");
  if (incomplete !== undefined)
    inputs.push(["failOnScanNotComplete", incomplete.trim().toLowerCase() !== "warn"]);
  const poll = take("--poll-interval");
  if (poll !== undefined) inputs.push(["pollingFrequency", poll]);
  const timeout = take("--timeout");
  if (timeout !== undefined) inputs.push(["timeout", timeout]);
  const onTimeout = take("--on-timeout");
  if (onTimeout !== undefined && onTimeout.trim().toLowerCase() === "leave")
    inputs.push(["leaveScanOnTimeout", true]);
  else if (onTimeout !== undefined && onTimeout.trim().toLowerCase() !== "cancel")
    used.delete("--on-timeout");
  const excludeQids = take("--exclude-qids");
  if (excludeQids !== undefined) inputs.push(["excludeQids", excludeQids]);
  const policy = take("--policy");
  if (policy !== undefined) inputs.push(["policyFile", policy]);
  const baseline = take("--baseline");
  if (baseline !== undefined) inputs.push(["baselineFile", baseline]);
  const reportDir = take("--report-dir");
  if (reportDir !== undefined) inputs.push(["reportDirectory", reportDir]);
  const left = [...values.keys()].filter((flag) => !used.has(flag));
  if (left.length > 0)
    refuse(
      "azure",
      left,
      `the Azure DevOps task Qualys${gate === "was" ? "Was" : "Vm"}Scan has no input for this`,
    );
  return inputs;
}

/** The Azure DevOps task reference: name and major version of integrations/azure-devops/tasks/*\/task.json. */
export const AZURE_TASKS: Readonly<Record<NativeGate, string>> = {
  was: "QualysWasScan@0",
  vm: "QualysVmScan@0",
};

/** The GitLab component path after the server: where a user publishes or mirrors integrations/gitlab. */
export const GITLAB_COMPONENT_PROJECT = "your-group/qualys-connector";

/**
 * The GitHub action reference, with the placeholders of the action's README: OWNER, the GitHub owner of the copy
 * of the repository used; REF, a tag or a full commit SHA of it.
 */
export const GITHUB_ACTION = "OWNER/qualys-connector/integrations/github-action@REF";
