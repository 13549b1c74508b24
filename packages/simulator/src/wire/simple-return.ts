/**
 * VM API v2 envelopes: SIMPLE_RETURN (docs/qualys-api.md 4.2) and the DOCTYPE line every v2 XML answer starts
 * with.
 */
import { el, opt, xmlDocument } from "./xml.js";

export interface SimpleReturn {
  /** Present on errors (docs/qualys-api.md 5.1). */
  code?: number;
  text: string;
  items?: readonly { key: string; value: string | number }[];
}

/** `2026-11-22T10:15:00Z`: v2 DATETIME format. */
export function v2DateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Render a SIMPLE_RETURN document. `origin` is the API origin, used in the DOCTYPE's DTD URL. */
export function renderSimpleReturn(origin: string, nowMs: number, response: SimpleReturn): string {
  const root = el(
    "SIMPLE_RETURN",
    el(
      "RESPONSE",
      el("DATETIME", v2DateTime(nowMs)),
      opt("CODE", response.code),
      el("TEXT", response.text),
      response.items && response.items.length > 0
        ? el(
            "ITEM_LIST",
            ...response.items.map((item) => el("ITEM", el("KEY", item.key), el("VALUE", String(item.value)))),
          )
        : null,
    ),
  );
  return xmlDocument(root, {
    doctype: v2Doctype("SIMPLE_RETURN", origin, "/api/2.0/simple_return.dtd"),
    indent: true,
  });
}

/** `<!DOCTYPE ROOT SYSTEM "https://host/path.dtd">` */
export function v2Doctype(root: string, origin: string, dtdPath: string): string {
  return `<!DOCTYPE ${root} SYSTEM "${origin}${dtdPath}">`;
}
