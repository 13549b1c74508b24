/**
 * Parsing helpers for report tests: plain objects with the repeating elements always as arrays, and small
 * path readers (`at(doc, "WAS_SCAN_REPORT.HEADER.NAME")`, numeric segments index arrays).
 */
import { XMLParser } from "fast-xml-parser";

const REPEATED = [
  "VULNERABILITY_LIST.VULNERABILITY",
  "SENSITIVE_CONTENT_LIST.SENSITIVE_CONTENT",
  "INFORMATION_GATHERED_LIST.INFORMATION_GATHERED",
  "PAYLOADS.PAYLOAD",
  "HEADERS.HEADER",
  "ACCESS_PATH.URL",
  "QID_LIST.QID",
  "GROUP_LIST.GROUP",
  "OWASP_LIST.OWASP",
  "WASC_LIST.WASC",
  "SCAN_LIST.SCAN",
  "SUMMARY_STATS.SUMMARY_STAT",
  "TARGET.SCAN",
  "TARGET.WEB_APPLICATION",
  "RESULTS.WEB_APPLICATION",
  "APPENDIX.WEBAPP",
  "data.Report",
];

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  parseTagValue: false,
  isArray: (_name, jpath) => REPEATED.some((p) => String(jpath).endsWith(p)),
});

export function parseXml(text: string): unknown {
  return parser.parse(text);
}

/** The value at a dotted path, or undefined. */
export function at(value: unknown, path: string): unknown {
  let node = value;
  for (const part of path.split(".")) {
    if (node === null || node === undefined) return undefined;
    if (Array.isArray(node)) node = /^\d+$/.test(part) ? node[Number(part)] : undefined;
    else if (typeof node === "object") node = (node as Record<string, unknown>)[part];
    else return undefined;
  }
  return node;
}

/** Element text at a path (`#text` of an element with attributes; "" for an empty element). */
export function textAt(value: unknown, path: string): string {
  const node = at(value, path);
  if (typeof node === "string") return node;
  if (node && typeof node === "object" && !Array.isArray(node)) {
    const t = (node as Record<string, unknown>)["#text"];
    return typeof t === "string" ? t : "";
  }
  throw new Error(`no text at ${path}`);
}

/** The array at a path ([] when absent). */
export function listAt(value: unknown, path: string): unknown[] {
  const node = at(value, path);
  if (node === undefined || node === "") return [];
  if (!Array.isArray(node)) throw new Error(`not a list at ${path}`);
  return node;
}

export function fromBase64(text: string): string {
  return Buffer.from(text, "base64").toString("utf8");
}
