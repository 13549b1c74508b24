/**
 * The WAS / QPS ServiceResponse envelope (docs/qualys-api.md 3.4, 3.6) in both XML and JSON forms, checked
 * for failures that Qualys returns with HTTP 200.
 */
import { excerpt, QualysApiError, QualysAuthError, QualysParseError, type RequestInfo } from "./errors.js";
import { asList, at, bool, int, parseJson, parseXml, text, type XmlNode } from "./xml.js";

export interface ServiceResponse {
  responseCode: string;
  count: number | undefined;
  hasMoreRecords: boolean;
  lastId: number | undefined;
  /** Records in order, each with its element name (WebApp, Finding, WasScan, …). */
  records: { element: string; value: XmlNode }[];
  /** Fields cut to MAX_NAME_CHARS, one line each (see `capNamesAndUrls`). */
  warnings: string[];
}

/**
 * Longest `name` or `url` kept from a record. Qualys' own names and URLs are far shorter (a URL rarely passes 2,000
 * characters); a longer one is hostile or broken data, which would otherwise reach every table, report and
 * database row raw.
 */
export const MAX_NAME_CHARS = 4096;

/**
 * Cut every over-long `name` and `url` string in a record (at any depth) to MAX_NAME_CHARS, marking the cut in
 * the value itself; returns one warning per cut field.
 */
export function capNamesAndUrls(record: XmlNode, where: string): string[] {
  const warnings: string[] = [];
  const visit = (node: unknown, path: string, depth: number): void => {
    if (depth > 20 || node === null || typeof node !== "object") return;
    const entries = Array.isArray(node) ? node.entries() : Object.entries(node as XmlNode);
    for (const [key, value] of entries) {
      const here = path ? `${path}.${key}` : String(key);
      if ((key === "name" || key === "url") && typeof value === "string" && value.length > MAX_NAME_CHARS) {
        (node as Record<string | number, unknown>)[key] =
          `${value.slice(0, MAX_NAME_CHARS)}… [cut from ${value.length} characters]`;
        warnings.push(
          `${where}: field ${here} is ${value.length} characters long; kept the first ${MAX_NAME_CHARS}`,
        );
      } else visit(value, here, depth + 1);
    }
  };
  visit(record, "", 0);
  return warnings;
}

/**
 * Read a ServiceResponse (XML or JSON, chosen by the body itself) and check it: anything but SUCCESS becomes a
 * typed error, also when HTTP said 200 (docs/qualys-api.md 3.6).
 */
export function readServiceResponse(body: string, request: RequestInfo): ServiceResponse {
  const trimmed = body.trimStart();
  const sr = trimmed.startsWith("{")
    ? (at(parseJson(body, request), "ServiceResponse") as XmlNode | undefined)
    : (at(parseXml(body, request), "ServiceResponse") as XmlNode | undefined);
  if (!sr || typeof sr !== "object") {
    throw new QualysParseError("the answer has no ServiceResponse", request, excerpt(body));
  }
  const responseCode = text(sr.responseCode) ?? "";
  if (responseCode !== "SUCCESS") {
    const message = text(at(sr, "responseErrorDetails.errorMessage")) ?? "(no message)";
    const resolution = text(at(sr, "responseErrorDetails.errorResolution"));
    if (responseCode === "INVALID_CREDENTIALS") {
      throw new QualysAuthError("credentials", `Qualys refused the credentials: ${message}`, request);
    }
    if (responseCode === "UNAUTHORIZED") {
      throw new QualysAuthError(
        "unauthorized",
        `Qualys refused access: ${message}`,
        request,
        moduleOf(request.url),
      );
    }
    throw new QualysApiError(responseCode || "(missing responseCode)", message, request, resolution);
  }
  const records: ServiceResponse["records"] = [];
  const data = sr.data;
  if (Array.isArray(data)) {
    // JSON: an array of single-key objects.
    for (const entry of data) {
      for (const [element, value] of Object.entries((entry ?? {}) as XmlNode))
        records.push({ element, value: value as XmlNode });
    }
  } else if (data && typeof data === "object") {
    for (const [element, value] of Object.entries(data as XmlNode)) {
      for (const item of asList<XmlNode>(value)) records.push({ element, value: item });
    }
  }
  const warnings = records.flatMap((record) =>
    capNamesAndUrls(record.value, `${request.method} ${request.url} ${record.element}`),
  );
  return {
    responseCode,
    count: int(sr.count),
    hasMoreRecords: bool(sr.hasMoreRecords) ?? false,
    lastId: int(sr.lastId),
    records,
    warnings,
  };
}

/** The module a QPS path belongs to, for naming it in an access refusal. */
function moduleOf(url: string): string | undefined {
  if (url.includes("/was/")) return "WAS";
  if (url.includes("/am/")) return "AM";
  return undefined;
}
