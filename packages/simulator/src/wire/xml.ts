/**
 * A minimal XML writer for the simulator's responses. Elements are built as nested arrays and serialized
 * once; this keeps handlers declarative and the output byte-for-byte predictable (element order matters:
 * docs/qualys-api.md 3.4 and 6.x give the real order).
 */

export type XmlNode = XmlElement | XmlText | XmlCData | XmlRaw | null | undefined | false;

export interface XmlElement {
  kind: "el";
  name: string;
  attrs: Record<string, string | number | boolean | undefined> | undefined;
  children: XmlNode[];
}
interface XmlText {
  kind: "text";
  value: string;
}
interface XmlCData {
  kind: "cdata";
  value: string;
}
interface XmlRaw {
  kind: "raw";
  value: string;
}

type Child = XmlNode | string | number | boolean | readonly XmlNode[];

/** An element. String, number and boolean children become escaped text. Arrays are flattened. */
export function el(name: string, ...children: Child[]): XmlElement {
  return { kind: "el", name, attrs: undefined, children: flatten(children) };
}

/** An element with attributes. */
export function elA(
  name: string,
  attrs: Record<string, string | number | boolean | undefined>,
  ...children: Child[]
): XmlElement {
  return { kind: "el", name, attrs, children: flatten(children) };
}

/** An element only when `value` is not null or undefined. */
export function opt(name: string, value: string | number | boolean | null | undefined): XmlElement | null {
  return value === null || value === undefined ? null : el(name, value);
}

/** Text wrapped in CDATA, as Qualys does for names, titles and KB prose. */
export function cdata(value: string): XmlCData {
  return { kind: "cdata", value };
}

/** A CDATA element only when `value` is not null or undefined. */
export function optCdata(name: string, value: string | null | undefined): XmlElement | null {
  return value === null || value === undefined ? null : el(name, cdata(value));
}

/** Pre-serialized XML, inserted as is (for comments or doctype-like fragments). */
export function raw(value: string): XmlRaw {
  return { kind: "raw", value };
}

function flatten(children: Child[]): XmlNode[] {
  const out: XmlNode[] = [];
  for (const child of children) {
    if (Array.isArray(child)) {
      for (const c of child as readonly XmlNode[]) out.push(c);
    } else if (typeof child === "string" || typeof child === "number" || typeof child === "boolean") {
      out.push({ kind: "text", value: String(child) });
    } else {
      out.push(child as XmlNode);
    }
  }
  return out;
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/**
 * Escape text content. Qualys escapes apostrophes and quotes in text too (real INVALID_REQUEST body in the J1
 * recording iterateWebAppFindingsBadId). Characters not allowed in XML 1.0 are dropped.
 */
export function escapeText(value: string): string {
  if (!NEEDS_TEXT_ESCAPE.test(value)) return value;
  return stripInvalid(value).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters must be found to be removed.
const NEEDS_TEXT_ESCAPE = /[&<>"'\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Escape an attribute value (double-quoted). */
export function escapeAttr(value: string): string {
  return stripInvalid(value).replace(/[&<>"]/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;",
  );
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing the control characters XML 1.0 forbids is the point.
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function stripInvalid(value: string): string {
  return value.replace(INVALID_XML_CHARS, "");
}

/** CDATA cannot contain `]]>`; split it the standard way. */
export function cdataSection(value: string): string {
  const clean = NEEDS_TEXT_ESCAPE.test(value) ? stripInvalid(value) : value;
  return `<![CDATA[${clean.includes("]]>") ? clean.replaceAll("]]>", "]]]]><![CDATA[>") : clean}]]>`;
}

/** Serialize a node tree. `indent` pretty-prints with two spaces per level (Qualys' v2 output is indented). */
export function serialize(node: XmlNode, indent = false): string {
  const parts: string[] = [];
  write(node, parts, indent ? 0 : -1);
  return parts.join("");
}

function write(node: XmlNode, out: string[], depth: number): void {
  if (!node) return;
  switch (node.kind) {
    case "text":
      out.push(escapeText(node.value));
      return;
    case "cdata":
      out.push(cdataSection(node.value));
      return;
    case "raw":
      out.push(node.value);
      return;
    case "el": {
      const pad = depth >= 0 ? `\n${"  ".repeat(depth)}` : "";
      if (depth > 0) out.push(pad);
      out.push("<", node.name);
      if (node.attrs) {
        for (const [key, value] of Object.entries(node.attrs)) {
          if (value === undefined) continue;
          out.push(" ", key, '="', escapeAttr(String(value)), '"');
        }
      }
      const children = node.children.filter((c): c is Exclude<XmlNode, null | undefined | false> =>
        Boolean(c),
      );
      if (children.length === 0) {
        out.push("/>");
        return;
      }
      out.push(">");
      const onlyText = children.every((c) => c.kind !== "el");
      for (const child of children) write(child, out, onlyText || depth < 0 ? -1 : depth + 1);
      if (!onlyText && depth >= 0) out.push(pad || "\n");
      out.push("</", node.name, ">");
      return;
    }
  }
}

/** An XML document with declaration and optional DOCTYPE line. */
export function xmlDocument(root: XmlElement, options: { doctype?: string; indent?: boolean } = {}): string {
  const head = '<?xml version="1.0" encoding="UTF-8" ?>\n';
  const doctype = options.doctype ? `${options.doctype}\n` : "";
  return `${head}${doctype}${serialize(root, options.indent ?? false)}\n`;
}
