/**
 * Normalizers for VM v2 scan answers (docs/qualys-api.md 4.3): the scan list and the `json_extended` fetch, a
 * top-level JSON array [header, summary, detection rows…, notes] whose values are mostly strings or null.
 */
import { asList, at, int, num, text, type XmlNode } from "./xml.js";

/** One scan of `action=list`. */
export interface VmScan {
  ref: string;
  type: string | undefined;
  title: string | undefined;
  userLogin: string | undefined;
  launchDatetime: string | undefined;
  /** "HH:MM:SS", or "Pending"/"Running". */
  duration: string | undefined;
  processed: boolean | undefined;
  /** Running, Paused, Canceled, Finished, Error, Queued, Loading. */
  state: string | undefined;
  /** No_Vuln or No_Host when seen; absent on a Finished scan with results (JVM treats that as success). */
  subState: string | undefined;
  target: string | undefined;
  optionProfileTitle: string | undefined;
}

/** One detection row of a `json_extended` fetch. */
export interface VmScanRow {
  ip: string | undefined;
  dns: string | undefined;
  netbios: string | undefined;
  os: string | undefined;
  qid: number;
  title: string | undefined;
  /** Vuln, Practice (potential) or Ig. */
  type: string | undefined;
  severity: number | undefined;
  port: string | undefined;
  protocol: string | undefined;
  ssl: boolean | undefined;
  cveIds: string[];
  /** Base score; the field reads "5.0 (AV:N/AC:L/…)", a score then the vector in brackets (JVM reads the first token). */
  cvssBase: number | undefined;
  cvssVector: string | undefined;
  cvss3Base: number | undefined;
  cvss3Vector: string | undefined;
  pciVuln: boolean | undefined;
  results: string | undefined;
  fqdn: string | undefined;
  category: string | undefined;
  /** KB diagnosis, consequence and solution texts, as json_extended repeats them. */
  threat: string | undefined;
  impact: string | undefined;
  solution: string | undefined;
}

export interface VmScanResults {
  /** [0]: report/user header (username, company, result_date, …), kept as strings. */
  header: Record<string, string>;
  /** [1]: scan summary (status, reference, scan_title, total_hosts, …), kept as strings. */
  summary: Record<string, string>;
  rows: VmScanRow[];
  /** Last element: notes such as hosts not scanned, kept as strings. */
  notes: Record<string, string>;
}

export function toVmScan(node: XmlNode): VmScan {
  const processed = text(node.PROCESSED);
  return {
    ref: text(node.REF) ?? "",
    type: text(node.TYPE),
    title: text(node.TITLE),
    userLogin: text(node.USER_LOGIN),
    launchDatetime: text(node.LAUNCH_DATETIME),
    duration: text(node.DURATION),
    processed: processed === undefined ? undefined : processed === "1",
    state: text(at(node, "STATUS.STATE")),
    subState: text(at(node, "STATUS.SUB_STATE")),
    target: text(node.TARGET),
    optionProfileTitle: text(at(node, "OPTION_PROFILE.TITLE")),
  };
}

function strings(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) return out;
  for (const [key, v] of Object.entries(value)) {
    const t = text(v);
    if (t !== undefined) out[key] = t;
  }
  return out;
}

const yesNo = (value: unknown): boolean | undefined => {
  const t = text(value)?.trim().toLowerCase();
  return t === "yes" ? true : t === "no" ? false : undefined;
};

function toVmScanRow(row: XmlNode): VmScanRow {
  return {
    ip: text(row.ip),
    dns: text(row.dns),
    netbios: text(row.netbios),
    os: text(row.os),
    qid: int(row.qid) ?? 0,
    title: text(row.title),
    type: text(row.type),
    severity: int(row.severity),
    port: text(row.port),
    protocol: text(row.protocol),
    ssl: yesNo(row.ssl),
    cveIds: (text(row.cve_id) ?? "")
      .split(",")
      .map((id) => id.trim())
      .filter((id) => id.length > 0),
    cvssBase: cvssScore(row.cvss_base),
    cvssVector: cvssVector(row.cvss_base),
    cvss3Base: cvssScore(row.cvss3_base),
    cvss3Vector: cvssVector(row.cvss3_base),
    pciVuln: yesNo(row.pci_vuln),
    results: text(row.results),
    fqdn: text(row.fqdn),
    category: text(row.category),
    threat: text(row.threat),
    impact: text(row.impact),
    solution: text(row.solution),
  };
}

/** The score of "5.0 (AV:N/AC:L/Au:N/C:P/I:N/A:N)" or of a bare "5.0". */
function cvssScore(value: unknown): number | undefined {
  return num(text(value)?.trim().split(/\s+/)[0]);
}

/** The vector in brackets, when there is one. */
function cvssVector(value: unknown): string | undefined {
  return /\(([^)]+)\)/.exec(text(value) ?? "")?.[1]?.trim();
}

/**
 * Split a `json_extended` array. Rows are the elements with a `qid`; the header and summary are the first two
 * elements, the notes the last element without a qid. A scan without detections has just [header, summary, notes].
 */
export function toVmScanResults(body: readonly unknown[]): VmScanResults {
  const objects = body.filter((e): e is XmlNode => e !== null && typeof e === "object" && !Array.isArray(e));
  const rows = objects.filter((e) => "qid" in e);
  const others = objects.filter((e) => !("qid" in e));
  const last = others.length > 2 ? others[others.length - 1] : undefined;
  return {
    header: strings(others[0]),
    summary: strings(others[1]),
    rows: rows.map(toVmScanRow),
    notes: strings(last),
  };
}

/** The scans of a SCAN_LIST_OUTPUT document. */
export function vmScansOf(doc: XmlNode): VmScan[] {
  return asList<XmlNode>(at(doc, "SCAN_LIST_OUTPUT.RESPONSE.SCAN_LIST.SCAN")).map(toVmScan);
}
