/**
 * One pass over a WAS_SCAN_REPORT or WAS_WEBAPP_REPORT document (docs/qualys-api.md 6.1, 6.2) with saxes.
 *
 * Findings come first in RESULTS, but what completes them comes later: titles, severities and classes in the
 * GLOSSARY, the web app of a scan report in APPENDIX/WEBAPP. So each finding is checked and reduced to what is
 * kept (evidence already decoded and capped) and spooled to a temporary file; definitions and applications are
 * yielded as they end; when the document has ended the spooled findings are completed and yielded.
 */

import {
  type ApplicationRecord,
  type DefinitionRecord,
  EVIDENCE_MAX,
  FINDING_STATUSES,
  type FindingKind,
  type FindingRecord,
  fingerprint,
  type ReportItem,
  type ReportKind,
  SEVERITY_SCORE,
  type SeverityLabelMap,
  severityLabel,
  toSeverity,
  type WebClasses,
  webClasses,
} from "@qualys-connector/model";
import { SaxesParser, type SaxesTagPlain } from "saxes";
import type { FindingSpool } from "./finding-spool.js";
import { reportDateToIso } from "./report-dates.js";
import { ReportFormatError } from "./report-format-error.js";
import { CappedBase64, CappedText, type TextSink } from "./text-sinks.js";

/** Element nesting allowed: real reports go 8 deep (RESULTS … PAYLOAD/REQUEST/HEADERS/HEADER/key). */
export const MAX_DEPTH = 64;
/** A name, attribute value, comment-free declaration or processing instruction longer than this is refused. */
const MARKUP_MAX = 1024 * 1024;
/** Plain fields (ids, URLs, titles, descriptions) keep at most this many characters. */
const FIELD_MAX = 64 * 1024;

const RECORD_TYPES = new Set(["VULNERABILITY", "SENSITIVE_CONTENT", "INFORMATION_GATHERED"]);
const ROOTS: Readonly<Record<string, ReportKind>> = {
  WAS_SCAN_REPORT: "WAS_SCAN_REPORT",
  WAS_WEBAPP_REPORT: "WAS_WEBAPP_REPORT",
};

// saxes states (saxes.js S_*): what its `text` buffer holds after a write.
const S_DTD_FIRST = 4;
const S_DTD_LAST = 12;
const S_TEXT = 13;
const S_COMMENT_FIRST = 17;
const S_COMMENT_LAST = 19;
const S_CDATA_FIRST = 20;
const S_CDATA_LAST = 22;

/** saxes keeps text across writes in these fields; they are drained after each write so no text node piles up. */
interface SaxesInternals {
  state: number;
  text: string;
  name: string;
  entity: string;
}

/** A finding as spooled: checked, evidence decoded and capped; completed from the glossary and appendix later. */
export interface SpooledFinding {
  k: string;
  u?: string;
  i: number;
  q: number;
  w?: number;
  url?: string;
  p?: string;
  pot: boolean;
  st?: string;
  fd?: string;
  ld?: string;
  lt?: string;
  td?: number;
  ig: boolean;
  ir?: string;
  idt?: string;
  a?: boolean;
  tr: boolean;
}

/** The large texts spooled beside each finding: request and response evidence. */
export const SPOOLED_TEXTS = 2;

interface RecordBuilder {
  type: string;
  depth: number;
  webAppId: number | undefined;
  fields: Record<string, string>;
  payloads: number;
  method: string | undefined;
  requestUrl: string | undefined;
  headers: string[];
  headerChars: number;
  headersCut: boolean;
  headerKey: string | undefined;
  body: CappedText | undefined;
  response: CappedText | CappedBase64 | undefined;
  data: CappedText | CappedBase64 | undefined;
}

interface FieldsBuilder {
  depth: number;
  fields: Record<string, string>;
}

interface GlossaryEntry {
  title: string | undefined;
  severity: number | undefined;
  group: string | undefined;
  cwe: number[];
  owasp: string[];
  wasc: string[];
}

const list = (text: string | undefined): string[] =>
  (text ?? "")
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");

function kindOf(type: string, potential: boolean): FindingKind {
  if (type === "INFORMATION_GATHERED" || type === "SENSITIVE_CONTENT") return type;
  return potential ? "POTENTIAL" : "VULNERABILITY";
}

/** A value shown in an error: cut, and quoted so control characters are escaped. */
const shown = (value: string): string => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

export class WasReportXml {
  /** Items ready to be yielded (definitions and applications during the pass). */
  readonly out: ReportItem[] = [];
  kind: ReportKind | undefined;
  title: string | undefined;
  generatedAt: string | undefined;
  readonly scanIds: string[] = [];
  readonly webAppIds: number[] = [];
  readonly counts = { applications: 0, definitions: 0 };

  private readonly parser = new SaxesParser({ xmlns: false, position: true });
  private readonly internals = this.parser as unknown as SaxesInternals;
  private readonly stack: string[] = [];
  private sink: TextSink | undefined;
  private sinkDepth = 0;
  private onSinkEnd: (() => void) | undefined;
  private record: RecordBuilder | undefined;
  private definition: FieldsBuilder | undefined;
  private webApp: (FieldsBuilder & { emitted: boolean; inResults: boolean }) | undefined;
  private resultsWebAppId: number | undefined;
  private readonly appendixWebApps: ApplicationRecord[] = [];
  private readonly glossary = new Map<number, GlossaryEntry>();
  private readonly owaspNames = new Map<string, string>();
  private readonly wascNames = new Map<string, string>();
  private classEntry: { code: string | undefined; name: string | undefined } | undefined;
  private ended = false;

  constructor(
    private readonly file: string,
    private readonly spool: FindingSpool<SpooledFinding>,
  ) {
    const p = this.parser;
    p.on("doctype", (doctype) => this.onDoctype(doctype));
    p.on("opentag", (tag) => this.onOpen(tag));
    p.on("closetag", () => this.onClose());
    p.on("text", (text) => this.sink?.push(text));
    p.on("cdata", (text) => this.sink?.push(text));
    p.on("end", () => {
      this.ended = true;
    });
  }

  get line(): number {
    return this.parser.line;
  }

  get column(): number {
    return this.parser.column;
  }

  private fail(reason: string): never {
    throw new ReportFormatError(this.file, this.parser.line, this.parser.column, reason);
  }

  /** Feeds decoded text; saxes errors become ReportFormatErrors at saxes' position. */
  write(text: string): void {
    try {
      this.parser.write(text);
    } catch (error) {
      throw this.asFormatError(error);
    }
    this.drain();
  }

  end(): void {
    try {
      this.parser.close();
    } catch (error) {
      throw this.asFormatError(error);
    }
    if (!this.ended || this.kind === undefined) this.fail("the document has no root element");
  }

  /** saxes' own errors (`LINE:COLUMN: message`) become ReportFormatErrors; others (disk full, …) pass as they are. */
  private asFormatError(error: unknown): unknown {
    if (!(error instanceof Error) || error instanceof ReportFormatError) return error;
    const m = /^(\d+):(\d+): ([\s\S]*)$/.exec(error.message);
    if (m) return new ReportFormatError(this.file, Number(m[1]), Number(m[2]), `malformed XML: ${m[3]}`);
    return error;
  }

  /** Hands text saxes holds back to the current sink (or drops it), so a huge text node never piles up. */
  private drain(): void {
    const p = this.internals;
    const state = p.state;
    if (state >= S_DTD_FIRST && state <= S_DTD_LAST) {
      this.fail("a DOCTYPE with an internal subset (entity or element declarations) is not accepted");
    }
    if (p.text.length > 0) {
      if (state === S_TEXT || (state >= S_CDATA_FIRST && state <= S_CDATA_LAST)) {
        this.sink?.push(p.text);
        p.text = "";
      } else if (state >= S_COMMENT_FIRST && state <= S_COMMENT_LAST) {
        p.text = "";
      } else if (p.text.length > MARKUP_MAX) {
        this.fail(`markup longer than ${MARKUP_MAX} characters (a name, attribute value or declaration)`);
      }
    }
    if (p.name.length > MARKUP_MAX || (p.entity?.length ?? 0) > MARKUP_MAX) {
      this.fail(`markup longer than ${MARKUP_MAX} characters (a name or entity reference)`);
    }
  }

  private onDoctype(doctype: string): void {
    // Real reports carry `<!DOCTYPE … SYSTEM "https://….dtd">`; it is never fetched. An internal subset is where
    // entity declarations (and entity-expansion bombs) live, so it is refused.
    if (doctype.includes("[") || /<!ENTITY/i.test(doctype)) {
      this.fail("a DOCTYPE with an internal subset (entity or element declarations) is not accepted");
    }
  }

  private startSink(sink: TextSink, depth: number, onEnd: () => void): void {
    this.sink = sink;
    this.sinkDepth = depth;
    this.onSinkEnd = onEnd;
  }

  private field(builder: { fields: Record<string, string> }, name: string, depth: number): void {
    const sink = new CappedText(FIELD_MAX);
    this.startSink(sink, depth, () => {
      builder.fields[name] = sink.text();
    });
  }

  private onOpen(tag: SaxesTagPlain): void {
    const name = tag.name;
    const stack = this.stack;
    stack.push(name);
    const depth = stack.length;
    if (depth > MAX_DEPTH) this.fail(`elements nested deeper than ${MAX_DEPTH}`);
    if (this.sink !== undefined) return; // markup inside a field's text: its text belongs to the field
    if (depth === 1) {
      const kind = ROOTS[name];
      if (kind === undefined) {
        this.fail(`root element <${name}> is not a WAS report (WAS_SCAN_REPORT or WAS_WEBAPP_REPORT)`);
      }
      this.kind = kind;
      return;
    }
    const record = this.record;
    if (record !== undefined) {
      this.openInRecord(record, tag, depth);
      return;
    }
    const definition = this.definition;
    if (definition !== undefined) {
      const relative = depth - definition.depth;
      if (relative === 1 && name !== "CVSS_V3") this.field(definition, name, depth);
      else if (relative === 2 && stack[depth - 2] === "CVSS_V3" && name === "BASE") {
        this.field(definition, "CVSS_V3_BASE", depth);
      }
      return;
    }
    const webApp = this.webApp;
    if (webApp !== undefined) {
      if (depth === webApp.depth + 1) {
        if (name === "ID" || name === "NAME" || name === "URL") this.field(webApp, name, depth);
        else if (webApp.inResults && name.endsWith("_LIST")) this.emitResultsWebApp(webApp);
      }
      if (!webApp.inResults) return;
    }
    const section = stack[1];
    if (section === "RESULTS") {
      if (depth === 3 && name === "WEB_APPLICATION") {
        this.webApp = { depth, fields: {}, emitted: false, inResults: true };
        this.resultsWebAppId = undefined;
      } else if (RECORD_TYPES.has(name) && stack[depth - 2] === `${name}_LIST`) {
        this.record = {
          type: name,
          depth,
          webAppId: this.resultsWebAppId,
          fields: {},
          payloads: 0,
          method: undefined,
          requestUrl: undefined,
          headers: [],
          headerChars: 0,
          headersCut: false,
          headerKey: undefined,
          body: undefined,
          response: undefined,
          data: undefined,
        };
      }
    } else if (section === "HEADER") {
      if (depth === 3 && (name === "NAME" || name === "GENERATION_DATETIME")) {
        const sink = new CappedText(FIELD_MAX);
        this.startSink(sink, depth, () => this.headerField(name, sink.text()));
      }
    } else if (section === "GLOSSARY") {
      if (depth === 4 && stack[2] === "QID_LIST" && name === "QID") this.definition = { depth, fields: {} };
      else if (depth === 4 && (name === "OWASP" || name === "WASC") && stack[2] === `${name}_LIST`) {
        this.classEntry = { code: undefined, name: undefined };
      } else if (depth === 5 && this.classEntry !== undefined && (name === "CODE" || name === "NAME")) {
        const entry = this.classEntry;
        const sink = new CappedText(FIELD_MAX);
        this.startSink(sink, depth, () => {
          entry[name === "CODE" ? "code" : "name"] = sink.text().trim();
        });
      }
    } else if (section === "APPENDIX") {
      if (depth === 3 && name === "WEBAPP")
        this.webApp = { depth, fields: {}, emitted: false, inResults: false };
      else if (depth === 5 && name === "REFERENCE" && stack[2] === "SCAN_LIST" && stack[3] === "SCAN") {
        const sink = new CappedText(FIELD_MAX);
        this.startSink(sink, depth, () => {
          const reference = sink.text().trim();
          if (reference !== "" && !this.scanIds.includes(reference)) this.scanIds.push(reference);
        });
      }
    }
  }

  private openInRecord(record: RecordBuilder, tag: SaxesTagPlain, depth: number): void {
    const name = tag.name;
    const relative = depth - record.depth;
    const base64 = tag.attributes.base64 === "true";
    if (relative === 1) {
      if (name === "PAYLOADS" || name === "ACCESS_PATH") return;
      if (name === "DATA") {
        const sink = base64 ? new CappedBase64() : new CappedText(EVIDENCE_MAX);
        record.data = sink;
        this.startSink(sink, depth, () => {});
        return;
      }
      this.field(record, name, depth);
      return;
    }
    if (this.stack[record.depth] !== "PAYLOADS") return;
    if (relative === 2) {
      if (name === "PAYLOAD") record.payloads += 1;
      return;
    }
    if (record.payloads !== 1) return; // the first payload is the evidence kept (as the sync keeps it)
    const parent = this.stack[depth - 2];
    if (relative === 4 && parent === "REQUEST") {
      if (name === "METHOD" || name === "URL") {
        const sink = new CappedText(FIELD_MAX);
        this.startSink(sink, depth, () => {
          if (name === "METHOD") record.method = sink.text().trim();
          else record.requestUrl = sink.text().trim();
        });
      } else if (name === "BODY") {
        const sink = new CappedText(EVIDENCE_MAX + 1);
        record.body = sink;
        this.startSink(sink, depth, () => {});
      }
    } else if (relative === 4 && parent === "RESPONSE" && name === "CONTENTS") {
      const sink = base64 ? new CappedBase64() : new CappedText(EVIDENCE_MAX + 1);
      record.response = sink;
      this.startSink(sink, depth, () => {});
    } else if (relative === 6 && parent === "HEADER" && (name === "key" || name === "value")) {
      const sink = new CappedText(FIELD_MAX);
      this.startSink(sink, depth, () => {
        if (name === "key") record.headerKey = sink.text().trim();
        else this.addHeader(record, record.headerKey ?? "", sink.text().trim());
      });
    }
  }

  private addHeader(record: RecordBuilder, key: string, value: string): void {
    record.headerKey = undefined;
    if (record.headersCut) return;
    const line = `${key}: ${value}`;
    if (record.headerChars + line.length > EVIDENCE_MAX) {
      record.headersCut = true;
      return;
    }
    record.headers.push(line);
    record.headerChars += line.length + 1;
  }

  private headerField(name: string, text: string): void {
    const value = text.trim();
    if (name === "NAME") this.title = value === "" ? undefined : value;
    else if (value !== "") this.generatedAt = this.date("GENERATION_DATETIME", value);
  }

  private onClose(): void {
    const depth = this.stack.length;
    if (this.sink !== undefined && depth === this.sinkDepth) {
      const end = this.onSinkEnd;
      this.sink = undefined;
      this.onSinkEnd = undefined;
      end?.();
    }
    if (this.record !== undefined && depth === this.record.depth) {
      const { spooled, request, response } = this.finishRecord(this.record);
      this.spool.add(spooled, [request, response]);
      this.record = undefined;
    } else if (this.definition !== undefined && depth === this.definition.depth) {
      this.finishDefinition(this.definition.fields);
      this.definition = undefined;
    } else if (this.webApp !== undefined && depth === this.webApp.depth) {
      const webApp = this.webApp;
      this.webApp = undefined;
      if (webApp.inResults) this.emitResultsWebApp(webApp);
      else {
        const record = this.application(webApp.fields);
        if (record !== undefined) {
          this.appendixWebApps.push(record);
          this.emitApplication(record);
        }
      }
    } else if (this.classEntry !== undefined && depth === 4) {
      const { code, name } = this.classEntry;
      this.classEntry = undefined;
      if (code && name) (this.stack[2] === "OWASP_LIST" ? this.owaspNames : this.wascNames).set(code, name);
    }
    this.stack.pop();
  }

  private int(name: string, text: string | undefined): number | undefined {
    if (text === undefined) return undefined;
    const value = text.trim();
    if (value === "") return undefined;
    if (!/^-?\d{1,15}$/.test(value)) this.fail(`${name} ${shown(value)} is not an integer`);
    return Number(value);
  }

  private number(name: string, text: string | undefined): number | undefined {
    const value = text?.trim() ?? "";
    if (value === "") return undefined;
    const n = Number(value);
    if (!Number.isFinite(n)) this.fail(`${name} ${shown(value)} is not a number`);
    return n;
  }

  private date(name: string, text: string | undefined): string | undefined {
    const value = text?.trim() ?? "";
    if (value === "") return undefined;
    return reportDateToIso(value) ?? this.fail(`${name} ${shown(value)} is not a date`);
  }

  private application(fields: Record<string, string>): ApplicationRecord | undefined {
    const id = this.int("WEBAPP ID", fields.ID);
    if (id === undefined) return undefined;
    return {
      uid: String(id),
      id,
      name: fields.NAME?.trim() ?? "",
      url: fields.URL?.trim() ?? "",
      ownerId: undefined,
      tags: [],
      categories: ["Web Application"],
      createdDate: undefined,
      updatedDate: undefined,
    };
  }

  private emitApplication(record: ApplicationRecord): void {
    if (this.webAppIds.includes(record.id)) return;
    this.webAppIds.push(record.id);
    this.counts.applications += 1;
    this.out.push({ type: "application", record });
  }

  private emitResultsWebApp(webApp: FieldsBuilder & { emitted: boolean }): void {
    if (webApp.emitted) return;
    webApp.emitted = true;
    const record = this.application(webApp.fields);
    if (record === undefined) return;
    this.resultsWebAppId = record.id;
    this.emitApplication(record);
  }

  private finishRecord(r: RecordBuilder): {
    spooled: SpooledFinding;
    request: string | undefined;
    response: string | undefined;
  } {
    const f = r.fields;
    const label = r.type;
    const qid = this.int(`${label} QID`, f.QID) ?? this.fail(`${label} without a QID`);
    const id = this.int(`${label} ID`, f.ID) ?? 0;
    const text = (value: string | undefined) => {
      const t = value?.trim();
      return t === undefined || t === "" ? undefined : t;
    };
    const bool = (value: string | undefined) => text(value)?.toLowerCase() === "true";
    const status = text(f.STATUS)
      ?.toUpperCase()
      .replace(/[^A-Z]/g, "");
    const authentication = text(f.AUTHENTICATION)?.toLowerCase();
    let request: string | undefined;
    let cut = r.headersCut;
    if (
      r.method !== undefined ||
      r.requestUrl !== undefined ||
      r.headers.length > 0 ||
      r.body !== undefined
    ) {
      const body = r.body?.text() ?? "";
      cut ||= r.body?.cut ?? false;
      request = [`${r.method || "GET"} ${r.requestUrl ?? ""}`, r.headers.join("\n"), "", body]
        .join("\n")
        .trimEnd();
      if (request.length > EVIDENCE_MAX) {
        request = request.slice(0, EVIDENCE_MAX);
        cut = true;
      }
    }
    let response: string | undefined;
    const source = r.type === "INFORMATION_GATHERED" ? r.data : r.response;
    if (source !== undefined) {
      response = source.text() || undefined;
      if (response !== undefined && response.length > EVIDENCE_MAX)
        response = response.slice(0, EVIDENCE_MAX);
      cut ||= source.cut;
    }
    const spooled: SpooledFinding = {
      k: r.type,
      i: id,
      q: qid,
      pot: bool(f.POTENTIAL),
      ig: bool(f.IGNORED),
      tr: cut,
    };
    const uniqueId = text(f.UNIQUE_ID);
    if (uniqueId !== undefined) spooled.u = uniqueId;
    if (r.webAppId !== undefined) spooled.w = r.webAppId;
    const url = text(f.URL);
    if (url !== undefined) spooled.url = url;
    const param = text(f.PARAM);
    if (param !== undefined) spooled.p = param;
    if (status !== undefined && (FINDING_STATUSES as readonly string[]).includes(status)) spooled.st = status;
    const first = this.date("FIRST_TIME_DETECTED", f.FIRST_TIME_DETECTED);
    if (first !== undefined) spooled.fd = first;
    const last =
      this.date("LAST_TIME_DETECTED", f.LAST_TIME_DETECTED) ?? this.date("DETECTION_DATE", f.DETECTION_DATE);
    if (last !== undefined) spooled.ld = last;
    const tested = this.date("LAST_TIME_TESTED", f.LAST_TIME_TESTED);
    if (tested !== undefined) spooled.lt = tested;
    const times = this.int("TIMES_DETECTED", f.TIMES_DETECTED);
    if (times !== undefined) spooled.td = times;
    const ignoredReason = text(f.IGNORED_REASON);
    if (ignoredReason !== undefined) spooled.ir = ignoredReason;
    const ignoredDate = this.date("IGNORED_DATE", f.IGNORED_DATE);
    if (ignoredDate !== undefined) spooled.idt = ignoredDate;
    // AUTHENTICATION is `Not Required` in real reports and `Required` when the scanner was logged in.
    if (authentication === "required") spooled.a = true;
    else if (authentication === "not required") spooled.a = false;
    return { spooled, request, response };
  }

  private finishDefinition(f: Record<string, string>): void {
    const qid = this.int("glossary QID", f.QID) ?? this.fail("a glossary QID entry without its QID");
    const severityText = f.SEVERITY?.trim() ?? "";
    const severity = toSeverity(severityText);
    if (severityText !== "" && severity === undefined)
      this.fail(`SEVERITY ${shown(severityText)} is not 1 to 5`);
    const cvssV2 = this.number("CVSS_BASE", f.CVSS_BASE);
    const cvssV3 = this.number("CVSS_V3 BASE", f.CVSS_V3_BASE);
    const text = (value: string | undefined) => {
      const t = value?.trim();
      return t === undefined || t === "" ? undefined : t;
    };
    const category = text(f.CATEGORY);
    const group = text(f.GROUP);
    const title = text(f.TITLE);
    const record: DefinitionRecord = {
      uid: String(qid),
      qid,
      title: title ?? `QID ${qid}`,
      severity,
      severityScore: cvssV3 ?? cvssV2 ?? (severity === undefined ? 0 : SEVERITY_SCORE[severity]),
      categories: [category, group].filter((c): c is string => c !== undefined),
      vulnType: category,
      cves: list(f.CVE ?? f.CVE_ID),
      cvssV2Base: cvssV2,
      cvssV2Vector: undefined,
      cvssV3Base: cvssV3,
      cvssV3Vector: undefined,
      diagnosis: text(f.DESCRIPTION),
      consequence: text(f.IMPACT),
      solution: text(f.SOLUTION),
      pci: false,
      publishedDate: undefined,
      lastServiceModificationDate: undefined,
    };
    this.glossary.set(qid, {
      title,
      severity,
      group,
      cwe: list(f.CWE)
        .map((c) => Number(c.replace(/^CWE-/i, "")))
        .filter((n) => Number.isInteger(n)),
      owasp: list(f.OWASP),
      wasc: list(f.WASC),
    });
    this.counts.definitions += 1;
    this.out.push({ type: "definition", record: record });
  }

  /**
   * The web app of each spooled finding: its WEB_APPLICATION block (web app report), else the appendix's one
   * web app, else (a scan report over several web apps, which does not say per finding) the web app whose URL
   * is the longest prefix of the finding's URL; 0 when none is.
   */
  private webAppOf(spooled: SpooledFinding): number {
    if (spooled.w !== undefined) return spooled.w;
    const apps = this.appendixWebApps;
    if (apps.length === 1) return apps[0]?.id ?? 0;
    let best: ApplicationRecord | undefined;
    const url = spooled.url?.toLowerCase();
    if (url !== undefined) {
      for (const app of apps) {
        const base = app.url.toLowerCase().replace(/\/+$/, "");
        if (base !== "" && url.startsWith(base) && (best === undefined || base.length > best.url.length))
          best = app;
      }
    }
    return best?.id ?? 0;
  }

  private readonly classCache = new Map<number, WebClasses>();

  /** The CWE, OWASP and WASC classes of a QID from its glossary entry, worked out once per QID. */
  private classesOf(qid: number, entry: GlossaryEntry | undefined): WebClasses {
    let classes = this.classCache.get(qid);
    if (classes === undefined) {
      classes = webClasses({
        cwe: entry?.cwe ?? [],
        owasp: (entry?.owasp ?? []).map((code) => ({
          code,
          name: this.owaspNames.get(code),
          url: undefined,
        })),
        wasc: (entry?.wasc ?? []).map((code) => {
          const name = this.wascNames.get(code);
          return { code: code.replace(/^WASC-/i, ""), name, url: undefined };
        }),
      });
      this.classCache.set(qid, classes);
    }
    // Each record gets its own arrays: a consumer may change one record without touching the others.
    return { cwe: [...classes.cwe], owasp: [...classes.owasp], wasc: [...classes.wasc] };
  }

  /** A spooled finding completed from the glossary and appendix. */
  complete(
    spooled: SpooledFinding,
    [request, response]: readonly (string | undefined)[],
    labels: SeverityLabelMap,
  ): { record: FindingRecord; uidIsUniqueId: boolean } {
    const entry = this.glossary.get(spooled.q);
    const severity = toSeverity(entry?.severity);
    const webAppId = this.webAppOf(spooled);
    const classes = this.classesOf(spooled.q, entry);
    const uid =
      spooled.u ??
      fingerprint({ target: String(webAppId), qid: spooled.q, url: spooled.url, param: spooled.p });
    const record: FindingRecord = {
      uid,
      id: spooled.i,
      webAppId,
      qid: spooled.q,
      name: entry?.title ?? `QID ${spooled.q}`,
      type: spooled.k,
      potential: spooled.pot,
      status: spooled.st,
      severity,
      severityLabel: severityLabel(labels, kindOf(spooled.k, spooled.pot), severity),
      url: spooled.url,
      param: spooled.p,
      firstDetectedDate: spooled.fd,
      lastDetectedDate: spooled.ld,
      lastTestedDate: spooled.lt,
      fixedDate: undefined,
      timesDetected: spooled.td,
      isIgnored: spooled.ig,
      ignoredReason: spooled.ir,
      ignoredDate: spooled.idt,
      ...classes,
      categories: [spooled.k, ...(entry?.group ? [entry.group] : [])],
      evidence: { request, response, truncated: spooled.tr },
      authenticated: spooled.a,
    };
    return { record, uidIsUniqueId: spooled.u !== undefined };
  }
}
