/**
 * The action's inputs (action.yml): the `scan was` / `scan vm` flags without their dashes, read from the runner's
 * `INPUT_*` variables and turned into the gate's options by the gate's own mapping (wasScanOptions,
 * vmScanOptions, policyFromInputs), so the CLI and the action accept the same values with the same messages. A
 * bad value is an ActionInputError naming the input.
 */

import path from "node:path";
import type { Auth, QualysClientOptions } from "@qualys-connector/client";
import {
  type Baseline,
  type Policy,
  parseChoice,
  parseWholeNumber,
  policyFromInputs,
  SCAN_INPUT_DEFAULTS,
  ScanInputError,
  type VmGateOptions,
  vmScanOptions,
  type WasGateOptions,
  wasScanOptions,
} from "@qualys-connector/gate";
import { type Env, readInput } from "./workflow-commands.js";

/** An input that cannot be used; the message starts with the input's name. */
export class ActionInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ActionInputError";
  }
}

/** Inputs are named as in action.yml: the kebab-case name as it is. */
const inputName = (input: string) => input;

export type GateKind = "was" | "vm";

/** What an incomplete verdict does to the step. */
export type IncompleteAs = "fail" | "warning";

type ShellOptions = "clock" | "signal" | "forceSignal" | "progress" | "tool" | "optionName";

/** Everything the action needs from its inputs, checked before any call to Qualys. */
export interface ActionInputs {
  gate: GateKind;
  client: Pick<
    QualysClientOptions,
    "apiUrl" | "platform" | "gatewayUrl" | "auth" | "proxy" | "caFile" | "timeoutMs"
  >;
  was?: Omit<WasGateOptions, ShellOptions>;
  vm?: Omit<VmGateOptions, ShellOptions>;
  policy: Policy;
  baseline: Baseline | undefined;
  reportDir: string;
  incompleteAs: IncompleteAs;
}

/** `true` or `false` (any case); empty is `fallback`. */
function booleanInput(env: Env, name: string, fallback = false): boolean {
  const text = readInput(env, name);
  if (text === undefined) return fallback;
  return parseChoice(text, name, ["true", "false"] as const) === "true";
}

/** A list input: entries separated by commas or lines (the gate splits the commas). */
function listInput(env: Env, name: string): string[] {
  return (readInput(env, name) ?? "").split(/\r?\n/).filter((line) => line.trim() !== "");
}

/** A path input, relative to the workspace as the user writes it in the workflow. */
function pathInput(env: Env, name: string, workspace: string): string | undefined {
  const value = readInput(env, name);
  return value === undefined ? undefined : path.resolve(workspace, value);
}

/**
 * A secret input: spaces are kept (they may be part of a password), but the line break a secret pasted from a
 * file often ends with is dropped.
 */
function secretInput(env: Env, variable: "INPUT_PASSWORD" | "INPUT_CLIENT-SECRET"): string {
  return (env[variable] ?? "").replace(/[\r\n]+$/, "");
}

/** The connection inputs as the client's options. */
function clientInputs(env: Env, gate: GateKind, workspace: string): ActionInputs["client"] {
  const apiUrl = readInput(env, "api-url");
  const platform = readInput(env, "platform");
  if (apiUrl === undefined && platform === undefined)
    throw new ActionInputError("api-url: required (or platform), but both are empty");
  if (apiUrl !== undefined && platform !== undefined)
    throw new ActionInputError("api-url and platform: give one, not both");
  const mode = parseChoice(readInput(env, "auth") ?? (gate === "vm" ? "session" : "basic"), "auth", [
    "basic",
    "session",
    "oauth",
  ] as const);
  let auth: Auth;
  if (mode === "oauth") {
    const clientId = readInput(env, "client-id");
    const clientSecret = secretInput(env, "INPUT_CLIENT-SECRET");
    if (clientId === undefined) throw new ActionInputError("client-id: required with auth: oauth, but empty");
    if (clientSecret.trim() === "")
      throw new ActionInputError("client-secret: required with auth: oauth, but empty");
    auth = { kind: "oauth", clientId, clientSecret };
  } else {
    const username = readInput(env, "username");
    const password = secretInput(env, "INPUT_PASSWORD");
    if (username === undefined) throw new ActionInputError("username: required, but empty");
    if (password === "") throw new ActionInputError("password: required, but empty");
    auth = { kind: mode, username, password };
  }
  const gatewayUrl = readInput(env, "gateway-url");
  const proxy = readInput(env, "proxy");
  const caFile = pathInput(env, "ca-file", workspace);
  const requestTimeout = readInput(env, "request-timeout");
  return {
    ...(apiUrl !== undefined ? { apiUrl } : {}),
    ...(platform !== undefined ? { platform } : {}),
    ...(gatewayUrl !== undefined ? { gatewayUrl } : {}),
    ...(proxy !== undefined ? { proxy } : {}),
    ...(caFile !== undefined ? { caFile } : {}),
    ...(requestTimeout !== undefined
      ? { timeoutMs: parseWholeNumber(requestTimeout, "request-timeout", 0, 86_400) * 1000 }
      : {}),
    auth,
  };
}

/** The report folder: the input, or a folder of this step under the runner's temporary directory. */
function reportDirInput(env: Env, gate: GateKind, workspace: string): string {
  const given = pathInput(env, "report-dir", workspace);
  if (given !== undefined) return given;
  const step = (env.GITHUB_ACTION ?? "").replace(/[^\w.-]/g, "_") || gate;
  return path.join(env.RUNNER_TEMP ?? path.join(workspace, ".qualys"), "qualys-results", step);
}

/** Read and check every input; throws ActionInputError naming the first bad one. */
export function readActionInputs(env: Env, now: Date): ActionInputs {
  try {
    const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
    const gateText = readInput(env, "gate");
    if (gateText === undefined) throw new ActionInputError("gate: required (was or vm), but empty");
    const gate = parseChoice(gateText, "gate", ["was", "vm"] as const);
    const client = clientInputs(env, gate, workspace);
    const given = (name: string) => readInput(env, name);
    const timing = {
      "poll-interval": given("poll-interval") ?? SCAN_INPUT_DEFAULTS[gate]["poll-interval"],
      timeout: given("timeout") ?? SCAN_INPUT_DEFAULTS[gate].timeout,
      "scan-name": given("scan-name"),
    };
    const was =
      gate === "was"
        ? wasScanOptions(
            {
              ...timing,
              webapp: given("webapp"),
              "scan-id": given("scan-id"),
              type: given("type") ?? SCAN_INPUT_DEFAULTS.was.type,
              "auth-record": given("auth-record") ?? SCAN_INPUT_DEFAULTS.was["auth-record"],
              "option-profile": given("option-profile") ?? SCAN_INPUT_DEFAULTS.was["option-profile"],
              scanner: given("scanner") ?? SCAN_INPUT_DEFAULTS.was.scanner,
              "cancel-after-hours": given("cancel-after-hours"),
              "on-timeout": given("on-timeout") ?? SCAN_INPUT_DEFAULTS.was["on-timeout"],
              "on-running": given("on-running") ?? SCAN_INPUT_DEFAULTS.was["on-running"],
              "max-poll-failures": given("max-poll-failures") ?? SCAN_INPUT_DEFAULTS.was["max-poll-failures"],
              wait: true,
            },
            inputName,
            env,
            now,
          )
        : undefined;
    const vm =
      gate === "vm"
        ? vmScanOptions(
            {
              ...timing,
              ip: listInput(env, "ip"),
              network: given("network"),
              "ec2-instance": listInput(env, "ec2-instance"),
              "ec2-connector": given("ec2-connector"),
              "ec2-endpoint": given("ec2-endpoint"),
              "run-connector": booleanInput(env, "run-connector"),
              "scan-ref": given("scan-ref"),
              "option-profile": given("option-profile"),
              scanner: given("scanner") ?? SCAN_INPUT_DEFAULTS.vm.scanner,
              "on-timeout": given("on-timeout") ?? SCAN_INPUT_DEFAULTS.vm["on-timeout"],
              "max-poll-failures": given("max-poll-failures") ?? SCAN_INPUT_DEFAULTS.vm["max-poll-failures"],
              wait: true,
            },
            inputName,
            env,
            now,
          )
        : undefined;
    const { policy, baseline } = policyFromInputs(
      {
        policy: pathInput(env, "policy", workspace),
        "max-severity-count": given("max-severity-count"),
        "min-severity": given("min-severity"),
        "fail-on-qids": given("fail-on-qids"),
        "exclude-qids": given("exclude-qids"),
        "on-incomplete": given("on-incomplete"),
        baseline: pathInput(env, "baseline", workspace),
        "fail-on-cves": given("fail-on-cves"),
        "fail-on-cvss": given("fail-on-cvss"),
        "cvss-version": given("cvss-version"),
        "fail-on-pci": booleanInput(env, "fail-on-pci") || undefined,
        "include-potential": booleanInput(env, "include-potential") || undefined,
        "exclude-cves": given("exclude-cves"),
      },
      inputName,
    );
    const incompleteAs = parseChoice(given("incomplete-as") ?? "fail", "incomplete-as", [
      "fail",
      "warning",
    ] as const);
    return {
      gate,
      client,
      ...(was !== undefined ? { was } : {}),
      ...(vm !== undefined ? { vm } : {}),
      policy,
      baseline,
      reportDir: reportDirInput(env, gate, workspace),
      incompleteAs,
    };
  } catch (error) {
    if (error instanceof ScanInputError) throw new ActionInputError(error.message);
    throw error;
  }
}
