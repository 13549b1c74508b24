/**
 * XML and JSON parsing plus the permissive value readers every envelope uses (STYLE.md: parse permissively, normalize once). They tolerate the known
 * quirks: a list of one comes back as an object, numbers and booleans as strings, elements go missing, CDATA
 * holds the text, base64 arrives unpadded, and an HTML page can stand where XML or JSON was promised.
 */
import { XMLParser } from "fast-xml-parser";
import { excerpt, QualysParseError, type RequestInfo } from "./errors.js";
import { describeJsonSyntaxError } from "./json-syntax.js";

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  textNodeName: "#text",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

export type XmlNode = Record<string, unknown>;

/** True when the body is an HTML page (maintenance pages and proxies answer 200 with HTML). */
export function looksLikeHtml(body: string): boolean {
  const head = body.trimStart().slice(0, 200).toLowerCase();
  return head.startsWith("<!doctype html") || head.startsWith("<html");
}

/** The root element's name, after the declaration, DOCTYPE and comments. */
function rootName(body: string): string | undefined {
  return /^(?:\s*(?:<\?[^>]*\?>|<!DOCTYPE[^>]*>|<!--[\s\S]*?-->))*\s*<([A-Za-z_][\w.-]*)/.exec(body)?.[1];
}

/**
 * Parse an XML body; a truncated, malformed or HTML body is a QualysParseError (retryable). A full validation
 * pass doubles the cost of a 2 MB page, so completeness is checked cheaply instead: the root element must close
 * (trailing comments allowed, as v2 answers have them), and the parser's own errors are mapped.
 */
export function parseXml(body: string, request: RequestInfo): XmlNode {
  if (looksLikeHtml(body))
    throw new QualysParseError("expected XML but got an HTML page", request, excerpt(body));
  const root = rootName(body);
  let end = body.trimEnd();
  // v2 answers end with comments (real KB and host list recordings); drop them one by one.
  while (end.endsWith("-->")) {
    const start = end.lastIndexOf("<!--");
    if (start < 0) break;
    end = end.slice(0, start).trimEnd();
  }
  const closes =
    root !== undefined &&
    (end.endsWith(`</${root}>`) || (end.endsWith("/>") && end.lastIndexOf("<") === end.indexOf(`<${root}`)));
  if (!closes) {
    throw new QualysParseError(
      "malformed or truncated XML (the root element does not close)",
      request,
      excerpt(body),
    );
  }
  try {
    return parser.parse(body) as XmlNode;
  } catch (error) {
    throw new QualysParseError(`malformed XML (${(error as Error).message})`, request, excerpt(body));
  }
}

/** Parse a JSON body; failures are QualysParseError. */
export function parseJson(body: string, request: RequestInfo): unknown {
  if (looksLikeHtml(body))
    throw new QualysParseError("expected JSON but got an HTML page", request, excerpt(body));
  try {
    return JSON.parse(body) as unknown;
  } catch {
    // Not JSON.parse's message: it quotes the body, which may echo our credentials (json-syntax.ts).
    throw new QualysParseError(
      `malformed or truncated JSON (${describeJsonSyntaxError(body)})`,
      request,
      excerpt(body),
    );
  }
}

// ---------- Value normalizers ----------

/** One element or many, as a list (the single-item quirk). */
export function asList<T = unknown>(value: unknown): T[] {
  if (value === undefined || value === null || value === "") return [];
  return Array.isArray(value) ? (value as T[]) : [value as T];
}

/** Text of an element: strings, numbers, `{ "#text": … }` (elements with attributes). Missing -> undefined. */
export function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object" && "#text" in value) return text((value as XmlNode)["#text"]);
  return undefined;
}

/** An integer from a number or a numeric string; anything else -> undefined. */
export function int(value: unknown): number | undefined {
  const t = text(value)?.trim();
  if (t === undefined || !/^-?\d+$/.test(t)) return undefined;
  return Number(t);
}

/** A decimal from a number or numeric string. */
export function num(value: unknown): number | undefined {
  const t = text(value)?.trim();
  if (t === undefined || t === "" || Number.isNaN(Number(t))) return undefined;
  return Number(t);
}

/** `true`/`false`, `1`/`0`, `yes`/`no` in any case. */
export function bool(value: unknown): boolean | undefined {
  const t = text(value)?.trim().toLowerCase();
  if (t === "true" || t === "1" || t === "yes") return true;
  if (t === "false" || t === "0" || t === "no") return false;
  return undefined;
}

/** Read a dotted path (`data.WebApp.owner.id`), taking the first element where a list stands. */
export function at(node: unknown, path: string): unknown {
  let current = node;
  for (const key of path.split(".")) {
    if (Array.isArray(current)) current = current[0];
    if (current === null || typeof current !== "object") return undefined;
    current = (current as XmlNode)[key];
  }
  return current;
}

/**
 * Items of a v3 list: XML `{count, list: {Item: [...]}}` or JSON `{count, list: [{Item: {...}}]}`
 * (docs/qualys-api.md 3.4).
 */
export function v3List(node: unknown, item: string): unknown[] {
  const list = at(node, "list");
  if (Array.isArray(list))
    return list.map((entry) => (entry as XmlNode)?.[item]).filter((x) => x !== undefined);
  return asList(at(list, item));
}

/** Decode base64 leniently: whitespace removed, missing padding added (HQ: Qualys omits padding). */
export function lenientBase64(value: string): string {
  const clean = value.replace(/\s+/g, "");
  const padded = clean + "=".repeat((4 - (clean.length % 4)) % 4);
  return Buffer.from(padded, "base64").toString("utf8");
}
