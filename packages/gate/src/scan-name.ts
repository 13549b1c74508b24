/**
 * Scan names from the CI system. Qualys' Azure DevOps WAS connector's default is
 * `$(Build.DefinitionName)_azureDevOps_build_$(Build.BuildID)` plus a timestamp that is always appended;
 * Qualys' Jenkins connectors use `[job_name]_jenkins_build_[build_number]` (jenkinsci/qualys-was-plugin). The
 * timestamp makes each name unique, which is also what lets a launch whose answer was lost be found again by
 * name (client scans.ts).
 */

import { OptionError, type OptionMessage, opt, optionMessage } from "@qualys-connector/client";

export type CiSystem = "azureDevOps" | "jenkins" | "github" | "gitlab" | "local";

export interface CiContext {
  ci: CiSystem;
  pipeline: string;
  build: string;
  branch: string;
  commit: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function first(env: Env, ...names: string[]): string {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return "";
}

/** Which CI system runs us, from the variables each one documents. */
/** Azure DevOps sets `TF_BUILD` to `True` on its agents; the one test of "running on Azure DevOps". */
export function isAzureDevOps(env: Env): boolean {
  return env.TF_BUILD?.toLowerCase() === "true";
}

export function detectCi(env: Env): CiContext {
  if (isAzureDevOps(env))
    return {
      ci: "azureDevOps",
      pipeline: first(env, "BUILD_DEFINITIONNAME"),
      build: first(env, "BUILD_BUILDID", "BUILD_BUILDNUMBER"),
      branch: first(env, "BUILD_SOURCEBRANCHNAME"),
      commit: first(env, "BUILD_SOURCEVERSION"),
    };
  if (env.GITHUB_ACTIONS === "true")
    return {
      ci: "github",
      pipeline: first(env, "GITHUB_WORKFLOW", "GITHUB_REPOSITORY"),
      build: first(env, "GITHUB_RUN_NUMBER", "GITHUB_RUN_ID"),
      branch: first(env, "GITHUB_REF_NAME"),
      commit: first(env, "GITHUB_SHA"),
    };
  if (env.GITLAB_CI === "true")
    return {
      ci: "gitlab",
      pipeline: first(env, "CI_PROJECT_PATH", "CI_PROJECT_NAME"),
      build: first(env, "CI_PIPELINE_IID", "CI_PIPELINE_ID"),
      branch: first(env, "CI_COMMIT_REF_NAME"),
      commit: first(env, "CI_COMMIT_SHA"),
    };
  if (env.JENKINS_URL || env.JENKINS_HOME)
    return {
      ci: "jenkins",
      pipeline: first(env, "JOB_NAME"),
      build: first(env, "BUILD_NUMBER"),
      branch: first(env, "BRANCH_NAME", "GIT_BRANCH"),
      commit: first(env, "GIT_COMMIT"),
    };
  return { ci: "local", pipeline: "qualys-connector", build: "manual", branch: "", commit: "" };
}

/** The default template for a CI system: `{pipeline}_<ci>_build_{build}`. */
export function defaultScanNameTemplate(ci: CiSystem): string {
  return `{pipeline}_${ci}_build_{build}`;
}

const VARIABLES = ["pipeline", "build", "ci", "branch", "commit"] as const;
/** Qualys limits scan names to 256 characters (jenkinsci/qualys-was-plugin, help/scanName.html). */
const MAX_NAME = 256;

/** A scan name template that cannot be used; names the `scanName` option; `messageWith` lets a CLI say its flag. */
export class ScanNameError extends OptionError {
  readonly option = "scanName";
  constructor(message: string | OptionMessage) {
    super(message);
    this.name = "ScanNameError";
  }
}

/** `2026-12-01-13-05-09`, UTC. */
export function scanTimestamp(now: Date): string {
  return now.toISOString().slice(0, 19).replace(/[T:]/g, "-");
}

/**
 * Fill `{pipeline} {build} {ci} {branch} {commit}` and append `_<timestamp>`. An unknown variable is an error;
 * an empty value becomes `unknown` so names stay readable. Control characters are removed.
 */
export function renderScanName(template: string, context: CiContext, now: Date): string {
  const unknown = [...template.matchAll(/\{([^}]*)\}/g)]
    .map((m) => m[1] ?? "")
    .filter((name) => !(VARIABLES as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new ScanNameError(
      optionMessage`${opt("scanName")}: unknown variable${unknown.length === 1 ? "" : "s"} ${unknown.map((u) => `{${u}}`).join(", ")}; use ${VARIABLES.map((v) => `{${v}}`).join(" ")}`,
    );
  const filled = template
    .replace(/\{(pipeline|build|ci|branch|commit)\}/g, (_, name: (typeof VARIABLES)[number]) => {
      const value = name === "ci" ? context.ci : context[name];
      return value === "" ? "unknown" : value;
    })
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim();
  if (filled === "") throw new ScanNameError(optionMessage`${opt("scanName")}: the name is empty`);
  const suffix = `_${scanTimestamp(now)}`;
  return `${filled.slice(0, MAX_NAME - suffix.length)}${suffix}`;
}
