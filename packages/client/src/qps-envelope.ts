/**
 * The WAS / QPS ServiceResponse envelope (qualys-api.md 3.4, 3.6) in both XML and JSON forms, checked for
 * failures that Qualys returns with HTTP 200.
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
}

/**
 * Read a ServiceResponse (XML or JSON, chosen by the body itself) and check it: anything but SUCCESS becomes a
 * typed error, also when HTTP said 200 (qualys-api.md 3.6).
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
  return {
    responseCode,
    count: int(sr.count),
    hasMoreRecords: bool(sr.hasMoreRecords) ?? false,
    lastId: int(sr.lastId),
    records,
  };
}

/** The module a QPS path belongs to, for naming it in an access refusal. */
function moduleOf(url: string): string | undefined {
  if (url.includes("/was/")) return "WAS";
  if (url.includes("/am/")) return "AM";
  return undefined;
}
