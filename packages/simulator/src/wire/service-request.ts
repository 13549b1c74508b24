/**
 * Parsing of QPS `ServiceRequest` bodies, XML or JSON (docs/qualys-api.md 3.3), into one neutral shape.
 * The format is taken from the Content-Type, independently of the response format.
 */
import { XMLParser } from "fast-xml-parser";
import type { WireFormat } from "./qps.js";

export type Operator = "EQUALS" | "NOT EQUALS" | "CONTAINS" | "IN" | "GREATER" | "LESSER" | "NONE";

export interface Criterion {
  field: string;
  operator: string;
  value: string;
}

export interface ServiceRequest {
  preferences: {
    startFromOffset?: string;
    startFromId?: string;
    limitResults?: string;
    verbose?: string;
  };
  criteria: Criterion[];
  /**
   * The `data` element as a plain tree: objects for elements, strings for text, arrays where an element
   * repeats. In XML, `<set>` / `<list>` children keep their element names (e.g. `{ set: { WebApp: [...] } }`).
   */
  data: Record<string, unknown> | undefined;
}

export class ServiceRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ServiceRequestError";
  }
}

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  textNodeName: "#text",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});

/** Parse a ServiceRequest body. An empty body is an empty request. Throws ServiceRequestError when malformed. */
export function parseServiceRequest(body: Buffer, format: WireFormat): ServiceRequest {
  const text = body.toString("utf8").trim();
  if (text.length === 0) return { preferences: {}, criteria: [], data: undefined };
  return format === "json" ? parseJson(text) : parseXml(text);
}

function parseXml(text: string): ServiceRequest {
  let doc: Record<string, unknown>;
  try {
    doc = xmlParser.parse(text, true) as Record<string, unknown>;
  } catch (error) {
    throw new ServiceRequestError(`Request body is not well-formed XML: ${(error as Error).message}`);
  }
  const sr = doc.ServiceRequest;
  if (sr === undefined || sr === null || typeof sr !== "object") {
    if (sr === "") return { preferences: {}, criteria: [], data: undefined };
    throw new ServiceRequestError("Request body must have a ServiceRequest root element.");
  }
  const root = sr as Record<string, unknown>;
  const preferences = readPreferences(root.preferences);
  const criteria: Criterion[] = [];
  const filters = root.filters;
  if (filters && typeof filters === "object") {
    for (const c of asArray((filters as Record<string, unknown>).Criteria)) {
      if (typeof c === "string")
        throw new ServiceRequestError("Criteria: missing field and operator attributes.");
      const rec = c as Record<string, unknown>;
      criteria.push({
        field: String(rec["@field"] ?? ""),
        operator: String(rec["@operator"] ?? ""),
        value: String(rec["#text"] ?? ""),
      });
    }
  }
  const data =
    root.data && typeof root.data === "object" ? (root.data as Record<string, unknown>) : undefined;
  return { preferences, criteria, data };
}

function parseJson(text: string): ServiceRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new ServiceRequestError(`Request body is not valid JSON: ${(error as Error).message}`);
  }
  const sr = (doc as Record<string, unknown> | null)?.ServiceRequest;
  if (!sr || typeof sr !== "object")
    throw new ServiceRequestError("Request body must have a ServiceRequest object.");
  const root = sr as Record<string, unknown>;
  const preferences = readPreferences(root.preferences);
  const criteria: Criterion[] = [];
  const filters = root.filters as Record<string, unknown> | undefined;
  if (filters && typeof filters === "object") {
    for (const c of asArray(filters.Criteria)) {
      const rec = (c ?? {}) as Record<string, unknown>;
      criteria.push({
        field: String(rec.field ?? ""),
        operator: String(rec.operator ?? ""),
        value: rec.value === undefined || rec.value === null ? "" : String(rec.value),
      });
    }
  }
  const data =
    root.data && typeof root.data === "object" ? (root.data as Record<string, unknown>) : undefined;
  return { preferences, criteria, data };
}

function readPreferences(node: unknown): ServiceRequest["preferences"] {
  if (!node || typeof node !== "object") return {};
  const rec = node as Record<string, unknown>;
  const out: ServiceRequest["preferences"] = {};
  for (const key of ["startFromOffset", "startFromId", "limitResults", "verbose"] as const) {
    const value = rec[key];
    if (value !== undefined && value !== null) out[key] = String(value);
  }
  return out;
}

/** A value that may be one element or a list of them, as a list (the XML single-item quirk). */
export function asArray<T = unknown>(value: unknown): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? (value as T[]) : [value as T];
}

/** Read a nested path such as `WasScan.target.webApp.id` from parsed `data`. */
export function dataPath(data: unknown, path: string): unknown {
  let node: unknown = data;
  for (const part of path.split(".")) {
    if (node === undefined || node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
