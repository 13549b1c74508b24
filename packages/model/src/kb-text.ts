/**
 * KnowledgeBase text (diagnosis, consequence, solution) arrives as HTML fragments: unclosed `<P>`, `<BR>`,
 * `<UL><LI>`, `<A HREF=… TARGET="_blank">`, `<B>`, `<I>` and entities, in upper or lower case (the KnowledgeBase
 * API, the WAS scan report glossary and the VM `json_extended` rows all carry it so). This module is the one
 * reader of that markup: it parses it into a few plain blocks, never keeping a tag or an attribute, and renders
 * those as text. Writers that show HTML rebuild their own markup from the blocks, so no markup from the source
 * ever passes through.
 */

/** A run of text in a paragraph or list item. `href` is set only for an http(s) or mailto link. */
export type KbInline =
  | { kind: "text"; text: string; strong: boolean; emphasis: boolean }
  | { kind: "link"; text: string; href: string | undefined }
  | { kind: "break" };

export type KbBlock =
  | { kind: "paragraph"; content: KbInline[] }
  | { kind: "list"; ordered: boolean; items: KbInline[][] };

/** Elements whose content is never text for a reader: it is dropped with them. */
const DROPPED = new Set([
  "script",
  "style",
  "iframe",
  "object",
  "embed",
  "noscript",
  "template",
  "svg",
  "math",
]);
/** Elements that end a paragraph. */
const BLOCK = new Set([
  "p",
  "div",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "pre",
  "blockquote",
  "table",
  "tr",
  "dl",
  "dt",
  "dd",
  "hr",
]);

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  copy: "©",
  reg: "®",
  trade: "™",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  bull: "•",
  middot: "·",
};

/** Decodes character references; an unknown or invalid one stays as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,8});?/g, (whole, body: string) => {
    if (body.startsWith("#")) {
      const code =
        body[1] === "x" || body[1] === "X" ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      // NUL, surrogates and values past Unicode are not characters: U+FFFD, as an HTML parser does.
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return "\uFFFD";
      return String.fromCodePoint(code);
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** The link target if it is an absolute http(s) or mailto URL; anything else (javascript:, data:) is no link. */
function safeHref(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(decodeEntities(raw).trim());
  } catch {
    return undefined;
  }
  return ["http:", "https:", "mailto:"].includes(url.protocol) ? url.href : undefined;
}

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, "i").exec(
    attributes,
  );
  return match === null ? undefined : (match[1] ?? match[2] ?? match[3]);
}

/** True when the text looks like markup at all; plain text keeps its own line breaks. */
function hasMarkup(text: string): boolean {
  return /<\/?[a-zA-Z][^>]*>|<!--/.test(text);
}

/** Parses KnowledgeBase HTML into paragraphs and lists of text, links and line breaks. */
export function parseKbHtml(source: string): KbBlock[] {
  const blocks: KbBlock[] = [];
  let paragraph: KbInline[] = [];
  let list: { ordered: boolean; items: KbInline[][] } | undefined;
  let item: KbInline[] | undefined;
  let strong = 0;
  let emphasis = 0;
  let link: { href: string | undefined; text: string } | undefined;
  let dropping: string | undefined;

  const target = (): KbInline[] => item ?? paragraph;
  const endParagraph = () => {
    if (paragraph.some((inline) => inline.kind !== "break"))
      blocks.push({ kind: "paragraph", content: paragraph });
    paragraph = [];
  };
  const endItem = () => {
    if (list && item?.some((inline) => inline.kind !== "break")) list.items.push(item);
    item = undefined;
  };
  const endList = () => {
    endItem();
    if (list && list.items.length > 0) blocks.push({ kind: "list", ...list });
    list = undefined;
  };
  const addText = (text: string) => {
    if (text === "") return;
    if (link) {
      link.text += text;
      return;
    }
    const inlines = target();
    const last = inlines.at(-1);
    if (last?.kind === "text" && last.strong === strong > 0 && last.emphasis === emphasis > 0)
      last.text += text;
    else inlines.push({ kind: "text", text, strong: strong > 0, emphasis: emphasis > 0 });
  };
  const addBreak = () => {
    if (link) {
      link.text += " ";
      return;
    }
    target().push({ kind: "break" });
  };

  if (!hasMarkup(source)) {
    // Plain text: blank lines separate paragraphs, single line breaks stay line breaks.
    for (const chunk of source.replace(/\r\n?/g, "\n").split(/\n\s*\n/)) {
      const lines = chunk.split("\n").map((line) =>
        decodeEntities(line)
          .replace(/[ \t\f\v]+/g, " ")
          .trim(),
      );
      lines.forEach((line, index) => {
        if (index > 0) addBreak();
        addText(line);
      });
      endParagraph();
    }
    return blocks.map(trimBlock).filter((block): block is KbBlock => block !== undefined);
  }

  // A `<` inside a tag ends it as text: `<scr<script>` is the text "<scr" and a script element.
  const token = /<!--[\s\S]*?(?:-->|$)|<(\/?)([a-zA-Z][a-zA-Z0-9]*)([^<>]*)>|<|[^<]+/g;
  for (const match of source.matchAll(token)) {
    const [whole, closing, rawName, attributes = ""] = match;
    if (rawName === undefined) {
      if (dropping !== undefined || whole.startsWith("<!--")) continue;
      // Markup collapses runs of whitespace, line breaks included, to one space.
      addText(decodeEntities(whole).replace(/\s+/g, " "));
      continue;
    }
    const name = rawName.toLowerCase();
    if (dropping !== undefined) {
      if (closing && name === dropping) dropping = undefined;
      continue;
    }
    if (DROPPED.has(name)) {
      if (!closing && !attributes.trimEnd().endsWith("/")) dropping = name;
      continue;
    }
    if (name === "br") addBreak();
    else if (name === "b" || name === "strong") strong = Math.max(0, strong + (closing ? -1 : 1));
    else if (name === "i" || name === "em") emphasis = Math.max(0, emphasis + (closing ? -1 : 1));
    else if (name === "a") {
      if (!closing && link === undefined) link = { href: safeHref(attribute(attributes, "href")), text: "" };
      else if (closing && link !== undefined) {
        const text = link.text.replace(/\s+/g, " ").trim();
        const href = link.href;
        link = undefined;
        if (href !== undefined) target().push({ kind: "link", text: text || href, href });
        else addText(text);
      }
    } else if (name === "ul" || name === "ol") {
      if (closing) endList();
      else {
        endParagraph();
        endList();
        list = { ordered: name === "ol", items: [] };
      }
    } else if (name === "li") {
      if (!list) {
        endParagraph();
        list = { ordered: false, items: [] };
      }
      endItem();
      if (!closing) item = [];
    } else if (name === "td" || name === "th") addText(" ");
    else if (BLOCK.has(name)) {
      if (item) addBreak();
      else {
        if (list) endList();
        endParagraph();
      }
    }
    // Any other element is dropped and its text kept.
  }
  if (link) {
    const { text } = link;
    link = undefined;
    addText(text);
  }
  endList();
  endParagraph();
  return blocks.map(trimBlock).filter((block): block is KbBlock => block !== undefined);
}

/** Trims the spaces markup leaves around line breaks and at the ends of a paragraph or item. */
function trimInlines(inlines: KbInline[]): KbInline[] {
  const out: KbInline[] = [];
  for (const inline of inlines) {
    if (inline.kind === "break") {
      const last = out.at(-1);
      if (last?.kind === "text") last.text = last.text.replace(/ +$/, "");
      // Two breaks at most: more would only be empty lines.
      if (out.length > 0 && !(out.at(-1)?.kind === "break" && out.at(-2)?.kind === "break")) out.push(inline);
      continue;
    }
    if (inline.kind === "text" && (out.length === 0 || out.at(-1)?.kind === "break")) {
      const text = inline.text.replace(/^ +/, "");
      if (text !== "") out.push({ ...inline, text });
      continue;
    }
    out.push(inline);
  }
  while (out.at(-1)?.kind === "break") out.pop();
  const last = out.at(-1);
  if (last?.kind === "text") {
    last.text = last.text.replace(/ +$/, "");
    if (last.text === "") out.pop();
  }
  return out;
}

function trimBlock(block: KbBlock): KbBlock | undefined {
  if (block.kind === "paragraph") {
    const content = trimInlines(block.content);
    return content.length > 0 ? { kind: "paragraph", content } : undefined;
  }
  const items = block.items.map(trimInlines).filter((inlines) => inlines.length > 0);
  return items.length > 0 ? { ...block, items } : undefined;
}

function inlineText(inlines: readonly KbInline[]): string {
  return inlines
    .map((inline) => {
      if (inline.kind === "break") return "\n";
      if (inline.kind === "link")
        return inline.href === undefined || inline.text === inline.href
          ? inline.text
          : `${inline.text} (${inline.href})`;
      return inline.text;
    })
    .join("");
}

/**
 * KnowledgeBase HTML as plain text: paragraphs apart by a blank line, line breaks kept, list items as "- item"
 * (or "1. item"), links as "text (url)". No markup survives: tags are dropped and entities decoded, so the
 * result is text to be escaped by whatever format it goes into.
 */
export function kbHtmlToText(source: string | undefined): string {
  if (source === undefined) return "";
  return parseKbHtml(source)
    .map((block) =>
      block.kind === "paragraph"
        ? inlineText(block.content)
        : block.items
            .map((inlines, index) => `${block.ordered ? `${index + 1}.` : "-"} ${inlineText(inlines)}`)
            .join("\n"),
    )
    .join("\n\n");
}
