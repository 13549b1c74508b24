/**
 * Policy: the policy file and the command-line flags, normalized into one checked `Policy`. Flags win over the
 * file for the criterion they set. Every problem is collected, so a user fixes them all in one go.
 */

import { readFileSync } from "node:fs";
import path from "node:path";
import {
  type OptionMessage,
  type OptionName,
  opt,
  optionMessage,
  optionProblems,
  renderOptionMessage,
} from "@qualys-connector/client";
import type { Severity } from "@qualys-connector/model";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { type PolicyFile, policyFileSchema } from "./policy-schema.js";
import { parseCveList, parseQidList, QidListError, type QidRange } from "./qid-list.js";
import type { CriterionAction } from "./result.js";

export interface SeverityCountRule {
  severity: Severity;
  max: number;
  action: CriterionAction;
  newOnly: boolean;
}

export interface PolicyException {
  id: string;
  reason: string;
  /** YYYY-MM-DD, inclusive. */
  expires: string;
  qids: QidRange[] | undefined;
  /** Web app ids or names (VM: IPs or instance ids), as text. */
  targets: string[] | undefined;
  urls: string[] | undefined;
}

/** Which CVSS base score a CVSS criterion compares: v2, v3, or the higher of both. */
export type CvssVersion = "2" | "3" | "max";

export interface Policy {
  severityCounts: SeverityCountRule[];
  minSeverity: { severity: Severity; action: CriterionAction; newOnly: boolean } | undefined;
  failOnQids: { qids: QidRange[]; action: CriterionAction; newOnly: boolean } | undefined;
  excludeQids: QidRange[];
  failOnCves: { cves: string[]; action: CriterionAction; newOnly: boolean } | undefined;
  failOnCvss: { score: number; version: CvssVersion; action: CriterionAction; newOnly: boolean } | undefined;
  failOnPci: { action: CriterionAction; newOnly: boolean } | undefined;
  /**
   * VM: potential vulnerabilities count only when true (the Jenkins VM connector's "evaluate potential
   * vulnerabilities").
   */
  includePotential: boolean;
  excludeCves: string[];
  onIncomplete: CriterionAction;
  exceptions: PolicyException[];
  /** Absolute path, when the file or a flag names one. */
  baselinePath: string | undefined;
}

/** Flags as typed on the command line (all text, all optional). */
export interface PolicyFlags {
  maxSeverityCount?: string | undefined;
  minSeverity?: string | undefined;
  failOnQids?: string | undefined;
  excludeQids?: string | undefined;
  onIncomplete?: string | undefined;
  baseline?: string | undefined;
  failOnCves?: string | undefined;
  failOnCvss?: string | undefined;
  cvssVersion?: string | undefined;
  failOnPci?: boolean | undefined;
  includePotential?: boolean | undefined;
  excludeCves?: string | undefined;
}

/**
 * A policy that cannot be used; `problems` name the input and what is wrong. A problem in the policy file names the
 * field as written in the file (`policy criteria.failOnQids`); one in a value given to normalizePolicy names its key
 * (`maxSeverityCount`), and `messages` keep those keys apart so a CLI can write its flags instead. Maps to exit 3.
 */
export class PolicyError extends Error {
  /** Each problem as text. */
  readonly problems: string[];
  /** Each problem as parts: text and the options it names. */
  readonly messages: readonly OptionMessage[];
  /** The options (normalizePolicy's keys, `policyFile`) the problems name. */
  readonly options: readonly string[];
  constructor(problems: readonly (string | OptionMessage)[]) {
    const { messages, texts, options } = optionProblems(problems);
    super(PolicyError.join(texts));
    this.name = "PolicyError";
    this.problems = texts;
    this.messages = messages;
    this.options = options;
  }
  private static join(texts: readonly string[]): string {
    return texts.length === 1 ? (texts[0] ?? "") : `invalid policy:\n  ${texts.join("\n  ")}`;
  }
  /** The message with each option written by `name` (a CLI: its flag). */
  messageWith(name: (option: string) => string): string {
    return PolicyError.join(this.messages.map((m) => renderOptionMessage(m, name)));
  }
}

function zodProblems(error: z.ZodError, file: string): OptionMessage[] {
  return error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
    return optionMessage`${opt("policyFile")} ${file}: ${where}: ${issue.message}`;
  });
}

/** Read and check a policy file (YAML or JSON). Relative paths inside it resolve against its folder. */
export function loadPolicyFile(file: string): { policy: PolicyFile; dir: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new PolicyError([
      optionMessage`${opt("policyFile")} ${file}: cannot be read (${String((error as NodeJS.ErrnoException).code ?? error)})`,
    ]);
  }
  let data: unknown;
  try {
    data = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new PolicyError([
      optionMessage`${opt("policyFile")} ${file}: not valid YAML or JSON: ${(error as Error).message.split("\n")[0] ?? ""}`,
    ]);
  }
  const parsed = policyFileSchema.safeParse(data);
  if (!parsed.success) throw new PolicyError(zodProblems(parsed.error, file));
  return { policy: parsed.data, dir: path.dirname(path.resolve(file)) };
}

/** A list problem names the file's field (text) or normalizePolicy's key (an option). */
function listProblem(error: QidListError, input: string | OptionName): OptionMessage {
  return typeof input === "string" ? [error.message] : [input, `: ${error.problems.join("; ")}`];
}

function cves(
  value: Parameters<typeof parseCveList>[0],
  input: string | OptionName,
  problems: (string | OptionMessage)[],
): string[] {
  try {
    return parseCveList(value, typeof input === "string" ? input : input.option);
  } catch (error) {
    if (error instanceof QidListError) {
      problems.push(listProblem(error, input));
      return [];
    }
    throw error;
  }
}

function qids(
  value: Parameters<typeof parseQidList>[0],
  input: string | OptionName,
  problems: (string | OptionMessage)[],
): QidRange[] {
  try {
    return parseQidList(value, typeof input === "string" ? input : input.option);
  } catch (error) {
    if (error instanceof QidListError) {
      problems.push(listProblem(error, input));
      return [];
    }
    throw error;
  }
}

/** `5=0,4=2`: severity=max pairs, each trimmed and checked. */
function parseSeverityCounts(text: string, problems: (string | OptionMessage)[]): SeverityCountRule[] {
  const rules: SeverityCountRule[] = [];
  const seen = new Set<number>();
  text.split(",").forEach((raw, index) => {
    const entry = raw.trim();
    const match = /^([1-5])\s*=\s*(\d{1,9})$/.exec(entry);
    if (!match) {
      problems.push(
        optionMessage`${opt("maxSeverityCount")}: ${entry === "" ? `entry ${index + 1} is empty` : `"${entry}" is not SEVERITY=MAX with SEVERITY 1 to 5 and MAX 0 or more`}`,
      );
      return;
    }
    const severity = Number(match[1]) as Severity;
    if (seen.has(severity)) {
      problems.push(optionMessage`${opt("maxSeverityCount")}: severity ${severity} is given twice`);
      return;
    }
    seen.add(severity);
    rules.push({ severity, max: Number(match[2]), action: "fail", newOnly: false });
  });
  return rules;
}

/**
 * The policy from the file (if any) and the flags. Throws PolicyError listing every problem. `cwd` resolves a
 * `baseline` value; the file's own `baseline` resolves against the file's folder.
 */
export function normalizePolicy(
  flags: PolicyFlags,
  file: { policy: PolicyFile; dir: string } | undefined,
  cwd: string = process.cwd(),
): Policy {
  const problems: (string | OptionMessage)[] = [];
  const criteria = file?.policy.criteria ?? {};

  let severityCounts: SeverityCountRule[] = Object.entries(criteria.severityCounts ?? {}).flatMap(
    ([level, rule]) => {
      if (rule === undefined) return [];
      const severity = Number(level) as Severity;
      return typeof rule === "number"
        ? [{ severity, max: rule, action: "fail" as const, newOnly: false }]
        : [{ severity, max: rule.max, action: rule.action ?? "fail", newOnly: rule.newOnly ?? false }];
    },
  );
  if (flags.maxSeverityCount !== undefined) {
    const fromFlag = parseSeverityCounts(flags.maxSeverityCount, problems);
    const levels = new Set(fromFlag.map((r) => r.severity));
    severityCounts = [...severityCounts.filter((r) => !levels.has(r.severity)), ...fromFlag];
  }
  severityCounts.sort((a, b) => b.severity - a.severity);

  let minSeverity: Policy["minSeverity"];
  const fileMin = criteria.minSeverity;
  if (fileMin !== undefined) {
    minSeverity =
      typeof fileMin === "number"
        ? { severity: fileMin as Severity, action: "fail", newOnly: false }
        : {
            severity: fileMin.severity as Severity,
            action: fileMin.action ?? "fail",
            newOnly: fileMin.newOnly ?? false,
          };
  }
  if (flags.minSeverity !== undefined) {
    const text = flags.minSeverity.trim();
    if (/^[1-5]$/.test(text)) {
      minSeverity = { severity: Number(text) as Severity, action: "fail", newOnly: false };
    } else {
      problems.push(
        optionMessage`${opt("minSeverity")}: "${flags.minSeverity}" is not a severity from 1 to 5`,
      );
    }
  }

  let failOnQids: Policy["failOnQids"];
  const fileQids = criteria.failOnQids;
  if (fileQids !== undefined) {
    failOnQids =
      typeof fileQids === "string" || Array.isArray(fileQids)
        ? { qids: qids(fileQids, "policy criteria.failOnQids", problems), action: "fail", newOnly: false }
        : {
            qids: qids(fileQids.qids, "policy criteria.failOnQids.qids", problems),
            action: fileQids.action ?? "fail",
            newOnly: fileQids.newOnly ?? false,
          };
  }
  if (flags.failOnQids !== undefined) {
    failOnQids = {
      qids: qids(flags.failOnQids, opt("failOnQids"), problems),
      action: "fail",
      newOnly: false,
    };
  }

  const excludeQids = [
    ...(file?.policy.excludeQids !== undefined
      ? qids(file.policy.excludeQids, "policy excludeQids", problems)
      : []),
    ...(flags.excludeQids !== undefined ? qids(flags.excludeQids, opt("excludeQids"), problems) : []),
  ];

  let failOnCves: Policy["failOnCves"];
  const fileCves = criteria.failOnCves;
  if (fileCves !== undefined) {
    failOnCves =
      typeof fileCves === "string" || Array.isArray(fileCves)
        ? { cves: cves(fileCves, "policy criteria.failOnCves", problems), action: "fail", newOnly: false }
        : {
            cves: cves(fileCves.cves, "policy criteria.failOnCves.cves", problems),
            action: fileCves.action ?? "fail",
            newOnly: fileCves.newOnly ?? false,
          };
  }
  if (flags.failOnCves !== undefined)
    failOnCves = {
      cves: cves(flags.failOnCves, opt("failOnCves"), problems),
      action: "fail",
      newOnly: false,
    };

  let failOnCvss: Policy["failOnCvss"];
  const fileCvss = criteria.failOnCvss;
  if (fileCvss !== undefined) {
    failOnCvss =
      typeof fileCvss === "number"
        ? { score: fileCvss, version: "max", action: "fail", newOnly: false }
        : {
            score: fileCvss.score,
            version: fileCvss.version ?? "max",
            action: fileCvss.action ?? "fail",
            newOnly: fileCvss.newOnly ?? false,
          };
  }
  if (flags.failOnCvss !== undefined) {
    const text = flags.failOnCvss.trim();
    if (/^\d+(\.\d+)?$/.test(text) && Number(text) <= 10)
      failOnCvss = {
        score: Number(text),
        version: failOnCvss?.version ?? "max",
        action: "fail",
        newOnly: false,
      };
    else
      problems.push(
        optionMessage`${opt("failOnCvss")}: "${flags.failOnCvss}" is not a CVSS base score from 0 to 10`,
      );
  }
  if (flags.cvssVersion !== undefined) {
    const version = flags.cvssVersion.trim();
    if (version !== "2" && version !== "3" && version !== "max")
      problems.push(optionMessage`${opt("cvssVersion")}: "${flags.cvssVersion}" must be 2, 3 or max`);
    else if (!failOnCvss)
      problems.push(
        optionMessage`${opt("cvssVersion")}: needs ${opt("failOnCvss")} (or failOnCvss in the policy)`,
      );
    else failOnCvss = { ...failOnCvss, version };
  }

  let failOnPci: Policy["failOnPci"];
  const filePci = criteria.failOnPci;
  if (filePci === true) failOnPci = { action: "fail", newOnly: false };
  else if (filePci !== undefined && filePci !== false)
    failOnPci = { action: filePci.action ?? "fail", newOnly: filePci.newOnly ?? false };
  if (flags.failOnPci) failOnPci = { action: "fail", newOnly: false };

  const includePotential = flags.includePotential ?? criteria.includePotential ?? false;
  const excludeCves = [
    ...(file?.policy.excludeCves !== undefined
      ? cves(file.policy.excludeCves, "policy excludeCves", problems)
      : []),
    ...(flags.excludeCves !== undefined ? cves(flags.excludeCves, opt("excludeCves"), problems) : []),
  ];

  let onIncomplete: CriterionAction = criteria.scanIncomplete ?? "fail";
  if (flags.onIncomplete !== undefined) {
    const text = flags.onIncomplete.trim();
    if (text === "fail" || text === "warn") onIncomplete = text;
    else problems.push(optionMessage`${opt("onIncomplete")}: "${flags.onIncomplete}" must be fail or warn`);
  }

  const ids = new Set<string>();
  const exceptions: PolicyException[] = (file?.policy.exceptions ?? []).map((e, index) => {
    const where = `policy exceptions[${index}] (${e.id})`;
    if (ids.has(e.id)) problems.push(`${where}: the id is used twice`);
    ids.add(e.id);
    if (Number.isNaN(Date.parse(`${e.expires}T00:00:00Z`)) || !sameDay(e.expires))
      problems.push(`${where}: expires "${e.expires}" is not a real date`);
    if (e.qids === undefined && e.urls === undefined)
      problems.push(`${where}: needs qids or urls; an exception that covers everything is not an exception`);
    return {
      id: e.id,
      reason: e.reason,
      expires: e.expires,
      qids: e.qids !== undefined ? qids(e.qids, `${where} qids`, problems) : undefined,
      targets: e.webApps?.map((t) => String(t).trim()),
      urls: e.urls?.map((u) => u.trim()),
    };
  });

  const baselinePath =
    flags.baseline !== undefined
      ? path.resolve(cwd, flags.baseline)
      : file?.policy.baseline !== undefined
        ? path.resolve(file.dir, file.policy.baseline)
        : undefined;

  const newOnlyUsers = [
    ...severityCounts.filter((r) => r.newOnly).map((r) => `criteria.severityCounts.${r.severity}`),
    ...(minSeverity?.newOnly ? ["criteria.minSeverity"] : []),
    ...(failOnQids?.newOnly ? ["criteria.failOnQids"] : []),
    ...(failOnCves?.newOnly ? ["criteria.failOnCves"] : []),
    ...(failOnCvss?.newOnly ? ["criteria.failOnCvss"] : []),
    ...(failOnPci?.newOnly ? ["criteria.failOnPci"] : []),
  ];
  if (newOnlyUsers.length > 0 && baselinePath === undefined)
    problems.push(
      optionMessage`${newOnlyUsers.join(", ")}: newOnly needs a baseline (${opt("baseline")} FILE or baseline: in the policy)`,
    );

  if (problems.length > 0) throw new PolicyError(problems);
  return {
    severityCounts,
    minSeverity,
    failOnQids,
    failOnCves,
    failOnCvss,
    failOnPci,
    includePotential,
    excludeQids,
    excludeCves,
    onIncomplete,
    exceptions,
    baselinePath,
  };
}

/** 2026-02-30 parses in JavaScript as March 2nd; a real date survives the round trip. */
function sameDay(day: string): boolean {
  return new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day;
}

/** True when the policy has at least one criterion about vulnerabilities (not only scan completion). */
export function hasVulnerabilityCriteria(policy: Policy): boolean {
  return (
    policy.severityCounts.length > 0 ||
    policy.minSeverity !== undefined ||
    policy.failOnQids !== undefined ||
    policy.failOnCves !== undefined ||
    policy.failOnCvss !== undefined ||
    policy.failOnPci !== undefined
  );
}
