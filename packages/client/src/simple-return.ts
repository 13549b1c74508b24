/**
 * The VM v2 SIMPLE_RETURN envelope (docs/qualys-api.md 4.2) and the typed errors its CODE stands for (5.1).
 */
import { QualysApiError, QualysAuthError, QualysRateLimitError, type RequestInfo } from "./errors.js";
import { asList, at, int, text, type XmlNode } from "./xml.js";

export interface SimpleReturn {
  code: number | undefined;
  text: string;
  items: Record<string, string>;
}

/** Read a SIMPLE_RETURN document (docs/qualys-api.md 4.2), or undefined when the body is another document. */
export function readSimpleReturn(doc: XmlNode): SimpleReturn | undefined {
  const response = at(doc, "SIMPLE_RETURN.RESPONSE");
  if (!response) return undefined;
  const items: Record<string, string> = {};
  for (const item of asList(at(response, "ITEM_LIST.ITEM"))) {
    const key = text(at(item, "KEY"));
    if (key !== undefined) items[key] = text(at(item, "VALUE")) ?? "";
  }
  return { code: int(at(response, "CODE")), text: text(at(response, "TEXT")) ?? "", items };
}

/**
 * Turn a SIMPLE_RETURN with a CODE into the typed error it stands for (docs/qualys-api.md 5.1): 2000 refused
 * credentials, 2001 expired account, 2002 no access (named module), 1960/1965/1920 limits, others API errors.
 */
export function simpleReturnError(
  sr: SimpleReturn,
  request: RequestInfo,
  waitHeaderSec?: number,
): Error | undefined {
  if (sr.code === undefined) return undefined;
  switch (sr.code) {
    case 2000:
      return new QualysAuthError("credentials", `Qualys refused the credentials: ${sr.text}`, request);
    case 2001:
      return new QualysAuthError("expired", `The Qualys account has expired: ${sr.text}`, request);
    case 2002: {
      const module = /\b(VM|KnowledgeBase|KB|WAS|AM)\b/.exec(sr.text)?.[1];
      return new QualysAuthError(
        "unauthorized",
        `Qualys refused access: ${sr.text}`,
        request,
        module === "KnowledgeBase" ? "KB" : module,
      );
    }
    case 1920:
    case 1960:
    case 1965: {
      const fromItem = int(sr.items.SECONDS_TO_WAIT);
      return new QualysRateLimitError(
        sr.code,
        waitHeaderSec ?? fromItem ?? (sr.code === 1965 ? 60 : 2),
        request,
      );
    }
    default:
      return new QualysApiError(String(sr.code), sr.text, request);
  }
}
