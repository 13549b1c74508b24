/**
 * The gate's own result.json (docs/gate.md; written by the gate's `toResultFile`): a JSON object whose `findings`
 * array holds the scan's vulnerabilities (fingerprint, qid, title, severity, target, url, param, authenticated,
 * potential, …) and whose `definitions` object holds one KnowledgeBase definition per QID. Read as a stream:
 * each finding and definition is handled as it ends and not kept; findings are spooled until the definitions
 * (which carry the CWE, OWASP and WASC classes) and the scan have been read. Only WAS results are report files
 * of web apps: a VM result's targets are hosts, and it is refused.
 */

import {
  type ApplicationRecord,
  type DefinitionRecord,
  type FindingRecord,
  fingerprint,
  type ReportItem,
  SEVERITY_SCORE,
  type SeverityLabelMap,
  severityLabel,
  toSeverity,
} from "@qualys-connector/model";
import type { FindingSpool } from "./finding-spool.js";
import { JsonStream, JsonSyntaxError, type JsonValue } from "./json-stream.js";
import { ReportFormatError } from "./report-format-error.js";
import { MAX_DEPTH } from "./was-report-xml.js";

/** Strings longer than this are refused: a gate result holds titles and KnowledgeBase texts, not bodies. */
const STRING_MAX = 4 * 1024 * 1024;

type JsonObject = { [key: string]: JsonValue };

const isObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: JsonValue | undefined): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value : undefined;
const num = (value: JsonValue | undefined): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;
const strings = (value: JsonValue | undefined): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

/** A finding of the result as spooled until the definitions are known. */
export interface SpooledGateFinding {
  f: string;
  q: number;
  t: string;
  s?: number;
  w: number;
  url?: string;
  p?: string;
  a?: boolean;
  pot: boolean;
}

interface DefinitionClasses {
  cwe: string[];
  owasp: string[];
  wasc: string[];
}

export class GateResultJson {
  readonly out: ReportItem[] = [];
  readonly counts = { applications: 0, definitions: 0, findings: {} as Record<string, number> };
  title: string | undefined;
  generatedAt: string | undefined;
  scanIds: string[] = [];
  webAppIds: number[] = [];
  private readonly json: JsonStream;
  private readonly seen = new Set<string>();
  private scan: JsonObject | undefined;
  private readonly classes = new Map<number, DefinitionClasses>();
  private readonly findingWebApps = new Set<number>();

  constructor(
    private readonly file: string,
    private readonly labels: SeverityLabelMap,
    private readonly spool: FindingSpool<SpooledGateFinding>,
  ) {
    this.json = new JsonStream({
      maxDepth: MAX_DEPTH,
      maxString: STRING_MAX,
      streamAt: (path) => {
        if (path.length === 0) return (key, value) => this.topLevel(String(key), value);
        if (path.length === 1 && path[0] === "findings") return (_, value) => this.finding(value);
        if (path.length === 1 && path[0] === "definitions")
          return (key, value) => this.definition(String(key), value);
        return undefined;
      },
    });
  }

  get line(): number {
    return this.json.line;
  }

  get column(): number {
    return Math.max(this.json.column, 1);
  }

  private fail(reason: string): never {
    throw new ReportFormatError(this.file, this.line, this.column, reason);
  }

  write(text: string): void {
    try {
      this.json.write(text);
    } catch (error) {
      if (error instanceof JsonSyntaxError) {
        throw new ReportFormatError(this.file, error.line, error.column, `malformed JSON: ${error.reason}`);
      }
      throw error;
    }
  }

  private topLevel(key: string, value: JsonValue): void {
    this.seen.add(key);
    if (key === "schemaVersion" && value !== 1) this.fail(`schemaVersion ${JSON.stringify(value)} is not 1`);
    else if (key === "generatedAt") this.generatedAt = this.isoDate("generatedAt", value);
    else if (key === "scan" && isObject(value)) this.scan = value;
    else if ((key === "findings" && !Array.isArray(value)) || (key === "definitions" && !isObject(value))) {
      this.fail(`${key} is not ${key === "findings" ? "an array" : "an object"}`);
    }
  }

  private isoDate(name: string, value: JsonValue | undefined): string | undefined {
    if (value === undefined || value === null) return undefined;
    const date = typeof value === "string" ? new Date(value) : undefined;
    if (date === undefined || Number.isNaN(date.getTime()))
      this.fail(`${name} ${JSON.stringify(value)} is not a date`);
    return date.toISOString();
  }

  private finding(value: JsonValue): void {
    if (!isObject(value)) this.fail("a finding that is not an object");
    const qid = value.qid;
    if (typeof qid !== "number" || !Number.isInteger(qid))
      this.fail(`finding qid ${JSON.stringify(qid)} is not an integer`);
    const target = typeof value.target === "string" ? value.target.trim() : "";
    if (!/^\d{1,15}$/.test(target)) {
      this.fail(
        `finding target ${JSON.stringify(target)} is not a web app id (only WAS gate results are reports of web apps)`,
      );
    }
    const webAppId = Number(target);
    this.findingWebApps.add(webAppId);
    const url = str(value.url);
    const param = str(value.param);
    const spooled: SpooledGateFinding = {
      f: str(value.fingerprint) ?? fingerprint({ target, qid, url, param }),
      q: qid,
      t: str(value.title) ?? `QID ${qid}`,
      w: webAppId,
      pot: value.potential === true,
    };
    const severity = toSeverity(value.severity);
    if (severity !== undefined) spooled.s = severity;
    if (url !== undefined) spooled.url = url;
    if (param !== undefined) spooled.p = param;
    if (typeof value.authenticated === "boolean") spooled.a = value.authenticated;
    this.spool.add(spooled, []);
  }

  private definition(key: string, value: JsonValue): void {
    if (!isObject(value)) this.fail(`definition ${JSON.stringify(key)} is not an object`);
    const qid = value.qid ?? Number(key);
    if (typeof qid !== "number" || !Number.isInteger(qid))
      this.fail(`definition qid ${JSON.stringify(qid)} is not an integer`);
    const severity = toSeverity(value.severity);
    const v2 = num(value.cvssV2Base);
    const v3 = num(value.cvssV3Base);
    const category = str(value.category);
    const record: DefinitionRecord = {
      uid: String(qid),
      qid,
      title: str(value.title) ?? `QID ${qid}`,
      severity,
      severityScore: v3 ?? v2 ?? (severity === undefined ? 0 : SEVERITY_SCORE[severity]),
      categories: category ? [category] : [],
      vulnType: str(value.vulnType),
      cves: strings(value.cves).map((c) => c.trim()),
      cvssV2Base: v2,
      cvssV2Vector: undefined,
      cvssV3Base: v3,
      cvssV3Vector: str(value.cvssV3Vector),
      diagnosis: str(value.diagnosis),
      consequence: str(value.consequence),
      solution: str(value.solution),
      pci: value.pci === true,
      publishedDate: undefined,
      lastServiceModificationDate: undefined,
    };
    this.classes.set(qid, {
      cwe: strings(value.cwe),
      owasp: strings(value.owasp),
      wasc: strings(value.wasc),
    });
    this.counts.definitions += 1;
    this.out.push({ type: "definition", record });
  }

  /** After the last piece: checks the document, yields the web app and then the spooled findings. */
  async *finish(signal: AbortSignal | undefined): AsyncGenerator<ReportItem> {
    try {
      this.json.end();
    } catch (error) {
      if (error instanceof JsonSyntaxError) {
        throw new ReportFormatError(this.file, error.line, error.column, `malformed JSON: ${error.reason}`);
      }
      throw error;
    }
    if (!isObject(this.json.root) || !this.seen.has("findings") || !this.seen.has("verdict")) {
      this.fail("a JSON object that is not a gate result.json (no verdict and findings)");
    }
    const scan = this.scan;
    if (scan !== undefined && scan.kind !== "was")
      this.fail(`scan kind ${JSON.stringify(scan.kind)}: only WAS gate results are reports of web apps`);
    const target = isObject(scan?.target) ? scan.target : undefined;
    const targetId =
      typeof target?.id === "string" && /^\d{1,15}$/.test(target.id) ? Number(target.id) : undefined;
    this.title = str(scan?.name);
    const reference = str(scan?.reference) ?? str(scan?.id);
    if (reference !== undefined) this.scanIds = [reference];
    const launched =
      scan?.launchedDate === undefined ? undefined : this.isoDate("scan.launchedDate", scan.launchedDate);
    if (targetId !== undefined) {
      const record: ApplicationRecord = {
        uid: String(targetId),
        id: targetId,
        name: str(target?.name) ?? "",
        url: str(target?.url) ?? "",
        ownerId: undefined,
        tags: [],
        categories: ["Web Application"],
        createdDate: undefined,
        updatedDate: undefined,
      };
      this.counts.applications += 1;
      yield { type: "application", record };
    }
    this.webAppIds = [...new Set([...(targetId === undefined ? [] : [targetId]), ...this.findingWebApps])];
    const detected = launched ?? this.generatedAt;
    for await (const [f] of this.spool.replay()) {
      signal?.throwIfAborted();
      const classes = this.classes.get(f.q);
      const severity = toSeverity(f.s);
      const record: FindingRecord = {
        uid: f.f,
        id: 0,
        webAppId: f.w,
        qid: f.q,
        name: f.t,
        type: "VULNERABILITY",
        potential: f.pot,
        status: undefined,
        severity,
        severityLabel: severityLabel(this.labels, f.pot ? "POTENTIAL" : "VULNERABILITY", severity),
        url: f.url,
        param: f.p,
        firstDetectedDate: undefined,
        lastDetectedDate: detected,
        lastTestedDate: detected,
        fixedDate: undefined,
        timesDetected: undefined,
        isIgnored: false,
        ignoredReason: undefined,
        ignoredDate: undefined,
        cwe: classes?.cwe ?? [],
        owasp: classes?.owasp ?? [],
        wasc: classes?.wasc ?? [],
        categories: ["VULNERABILITY"],
        evidence: { request: undefined, response: undefined, truncated: false },
        authenticated: f.a,
      };
      this.counts.findings.VULNERABILITY = (this.counts.findings.VULNERABILITY ?? 0) + 1;
      yield { type: "finding", record, uidIsUniqueId: false };
    }
  }
}
