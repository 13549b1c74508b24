/**
 * The QPS REST envelope (WAS API v3, AM API 2.0): `ServiceResponse` in XML or JSON (docs/qualys-api.md 3.4).
 *
 * Records are built once as a neutral tree (`QNode`) and rendered to either format, so the XML and JSON forms
 * of one record cannot drift apart:
 * - a plain object renders its keys in insertion order (XML element order is significant);
 * - `qlist("Tag", items)` renders the v3 list shape: XML `<count>n</count><list><Tag/>…</list>`,
 *   JSON `{"count": n, "list": [{"Tag": …}]}`;
 * - `qset("WebAppFindingHistory", items)` renders XML `<set><Item/>…</set>`, JSON `{"set": [{"Item": …}]}`;
 * - `qcdata(text)` is CDATA in XML and a plain string in JSON;
 * - `qbase64(text)` is base64 text with `base64="true"` in XML, and the same base64 string in JSON.
 */
import type { IncomingHttpHeaders } from "node:http";
import { cdata, cdataSection, el, elA, escapeText, serialize, type XmlElement, type XmlNode } from "./xml.js";

export interface QList {
  readonly kind: "list";
  readonly item: string;
  readonly items: readonly QNode[];
}
export interface QSet {
  readonly kind: "set";
  readonly item: string;
  readonly items: readonly QNode[];
}
export interface QCData {
  readonly kind: "cdata";
  readonly value: string;
}
export interface QBase64 {
  readonly kind: "base64";
  /** The base64 text as sent. */
  readonly value: string;
}
export interface QObject {
  readonly [key: string]: QNode;
}
export type QNode = string | number | boolean | null | undefined | QList | QSet | QCData | QBase64 | QObject;

export const qlist = (item: string, items: readonly QNode[]): QList => ({ kind: "list", item, items });
export const qset = (item: string, items: readonly QNode[]): QSet => ({ kind: "set", item, items });
export const qcdata = (value: string): QCData => ({ kind: "cdata", value });
/**
 * Base64-encode `text` (UTF-8). `unpadded` strips `=` padding, as Qualys sometimes does
 * (docs/qualys-api.md 3.8).
 */
export const qbase64 = (text: string | Buffer, unpadded = false): QBase64 => {
  const b64 = Buffer.from(text).toString("base64");
  return { kind: "base64", value: unpadded ? b64.replace(/=+$/, "") : b64 };
};

function isMarked(node: QNode): node is QList | QSet | QCData | QBase64 {
  return typeof node === "object" && node !== null && typeof (node as { kind?: unknown }).kind === "string";
}

// ---------- XML ----------

/** Render one named node as XML. Null and undefined produce nothing (the element is omitted). */
export function qnodeToXml(name: string, node: QNode): XmlElement | null {
  if (node === null || node === undefined) return null;
  if (typeof node !== "object") return el(name, String(node));
  if (isMarked(node)) {
    switch (node.kind) {
      case "cdata":
        return el(name, cdata(node.value));
      case "base64":
        return elA(name, { base64: "true" }, node.value);
      case "list":
        return el(
          name,
          el("count", node.items.length),
          node.items.length > 0 ? el("list", ...node.items.map((i) => qnodeToXml(node.item, i))) : null,
        );
      case "set":
        return el(name, el("set", ...node.items.map((i) => qnodeToXml(node.item, i))));
    }
  }
  const children: XmlNode[] = [];
  for (const [key, value] of Object.entries(node)) children.push(qnodeToXml(key, value));
  return el(name, ...children);
}

/**
 * Render one named node straight to XML text (the hot path: a page of 1000 verbose findings). Produces the same
 * document as `serialize(qnodeToXml(name, node))`, without building the intermediate tree.
 */
export function writeQnodeXml(name: string, node: QNode, out: string[]): void {
  if (node === null || node === undefined) return;
  if (typeof node !== "object") {
    out.push("<", name, ">", escapeText(String(node)), "</", name, ">");
    return;
  }
  if (isMarked(node)) {
    switch (node.kind) {
      case "cdata":
        out.push("<", name, ">", cdataSection(node.value), "</", name, ">");
        return;
      case "base64":
        out.push("<", name, ' base64="true">', node.value, "</", name, ">");
        return;
      case "list":
        out.push("<", name, "><count>", String(node.items.length), "</count>");
        if (node.items.length > 0) {
          out.push("<list>");
          for (const item of node.items) writeQnodeXml(node.item, item, out);
          out.push("</list>");
        }
        out.push("</", name, ">");
        return;
      case "set":
        out.push("<", name, "><set>");
        for (const item of node.items) writeQnodeXml(node.item, item, out);
        out.push("</set></", name, ">");
        return;
    }
  }
  const start = out.length;
  out.push("<", name, ">");
  const before = out.length;
  for (const key in node) writeQnodeXml(key, node[key], out);
  if (out.length === before) {
    out.length = start;
    out.push("<", name, "/>");
    return;
  }
  out.push("</", name, ">");
}

// ---------- JSON ----------

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Render a node as a JSON value. Null and undefined keys are omitted from objects. */
export function qnodeToJson(node: QNode): Json {
  if (node === null || node === undefined) return null;
  if (typeof node !== "object") return node;
  if (isMarked(node)) {
    switch (node.kind) {
      case "cdata":
      case "base64":
        return node.value;
      case "list":
        // Lists of scalars (`cwe{list{long…}}`) are bare arrays in JSON: `{"list": [200]}`
        // (docs/qualys-api.md 3.9).
        return {
          count: node.items.length,
          list: node.items.map((i) =>
            i !== null && typeof i === "object" ? { [node.item]: qnodeToJson(i) } : qnodeToJson(i),
          ),
        };
      case "set":
        return { set: node.items.map((i) => ({ [node.item]: qnodeToJson(i) })) };
    }
  }
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (value === null || value === undefined) continue;
    out[key] = qnodeToJson(value);
  }
  return out;
}

// ---------- Envelope ----------

export type WireFormat = "xml" | "json";

/** Response format from `Accept` (JSON when it asks for JSON, else XML); independent of the request body. */
export function responseFormat(headers: IncomingHttpHeaders): WireFormat {
  const accept = String(headers.accept ?? "").toLowerCase();
  return accept.includes("application/json") ? "json" : "xml";
}

/** Request body format from `Content-Type` (docs/qualys-api.md 3.2: JWAS sends XML with Accept JSON). */
export function requestFormat(headers: IncomingHttpHeaders): WireFormat {
  const type = String(headers["content-type"] ?? "").toLowerCase();
  return type.includes("json") ? "json" : "xml";
}

export interface ServiceResponseBody {
  responseCode: string;
  /** Records in this response (for count calls: the total, and no data). */
  count?: number;
  hasMoreRecords?: boolean;
  lastId?: number;
  /** Records, each `[elementName, record]`, e.g. `["WebApp", {...}]`. */
  data?: readonly (readonly [string, QNode])[];
  error?: { errorMessage: string; errorResolution?: string };
}

export interface RenderedBody {
  contentType: string;
  body: string;
}

/**
 * Render a ServiceResponse. `xsd` names the schema in `xsi:noNamespaceSchemaLocation`
 * (real responses point at `https://<api>/qps/xsd/3.0/was/<object>.xsd`).
 */
export function renderServiceResponse(
  format: WireFormat,
  response: ServiceResponseBody,
  xsd: { origin: string; path: string },
): RenderedBody {
  if (format === "json") {
    const sr: { [key: string]: Json } = { responseCode: response.responseCode };
    if (response.count !== undefined) sr.count = response.count;
    // The ELW mock sends hasMoreRecords as a string (docs/qualys-api.md 3.4); clients must accept both.
    if (response.hasMoreRecords !== undefined) sr.hasMoreRecords = String(response.hasMoreRecords);
    if (response.lastId !== undefined) sr.lastId = response.lastId;
    if (response.data) sr.data = response.data.map(([name, record]) => ({ [name]: qnodeToJson(record) }));
    if (response.error) {
      sr.responseErrorDetails = {
        errorMessage: response.error.errorMessage,
        ...(response.error.errorResolution ? { errorResolution: response.error.errorResolution } : {}),
      };
    }
    return { contentType: "application/json", body: JSON.stringify({ ServiceResponse: sr }) };
  }
  const head = elA("ServiceResponse", {
    "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "xsi:noNamespaceSchemaLocation": `${xsd.origin}${xsd.path}`,
  });
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n', serialize(head).replace(/\/>$/, ">")];
  out.push(serialize(el("responseCode", response.responseCode)));
  if (response.count !== undefined) out.push(serialize(el("count", response.count)));
  if (response.hasMoreRecords !== undefined)
    out.push(serialize(el("hasMoreRecords", response.hasMoreRecords)));
  if (response.lastId !== undefined) out.push(serialize(el("lastId", response.lastId)));
  if (response.data) {
    out.push("<data>");
    for (const [name, record] of response.data) writeQnodeXml(name, record, out);
    out.push("</data>");
  }
  if (response.error) {
    out.push(
      serialize(
        el(
          "responseErrorDetails",
          el("errorMessage", response.error.errorMessage),
          response.error.errorResolution ? el("errorResolution", response.error.errorResolution) : null,
        ),
      ),
    );
  }
  out.push("</ServiceResponse>\n");
  return { contentType: "application/xml", body: out.join("") };
}
