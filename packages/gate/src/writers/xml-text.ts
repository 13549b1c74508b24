/**
 * Escaping for text written into XML reports (JUnit, and any other XML writer). Scan results carry text chosen by
 * whoever controls the scanned web app (titles, URLs, parameters), so everything is escaped and nothing goes into
 * CDATA: a CDATA section cannot contain `]]>`, and splitting it is easy to get wrong.
 */

import { escapeBidiControls } from "../log-text.js";

/**
 * Everything outside the XML 1.0 `Char` production (https://www.w3.org/TR/xml/#charsets): C0 controls other than
 * tab, LF and CR, U+FFFE and U+FFFF, and lone surrogates. With the `u` flag a lone surrogate is one code point
 * outside every allowed range, while a valid pair is one code point inside the last range. Such characters cannot
 * appear in XML 1.0 at all, not even as character references, so they are removed.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const TEXT_SPECIAL = /[&<>"'\r]/g;
// Attribute values also need tab, LF and CR as references: parsers normalize them to spaces otherwise (XML 3.3.3).
const ATTR_SPECIAL = /[&<>"'\t\n\r]/g;

function reference(char: string): string {
  switch (char) {
    case "&":
      return "&amp;";
    case "<":
      return "&lt;";
    case ">":
      return "&gt;";
    case '"':
      return "&quot;";
    case "'":
      return "&apos;";
    case "\t":
      return "&#9;";
    case "\n":
      return "&#10;";
    // A literal CR is turned into LF by every parser (XML 2.11); the reference keeps it.
    case "\r":
      return "&#13;";
    default:
      return char;
  }
}

/** Removes the characters that XML 1.0 does not allow anywhere in a document. */
export function stripInvalidXmlChars(text: string): string {
  return text.replace(NOT_XML_CHAR, "");
}

/**
 * Text of any report format read by other tools (JUnit XML, SARIF JSON): characters XML 1.0 does not allow are
 * removed (NUL and the other C0 controls but tab, LF and CR; U+FFFE and U+FFFF; lone surrogates, which also make a
 * JSON string ill-formed), and bidirectional controls are shown escaped (`\u202e`) so a title or URL reads as it is.
 */
export function reportText(text: string): string {
  return escapeBidiControls(stripInvalidXmlChars(text));
}

/** Text for element content: `reportText`, then markup characters escaped. Never needs CDATA. */
export function escapeXmlText(text: string): string {
  return reportText(text).replace(TEXT_SPECIAL, reference);
}

/** Text for a double- or single-quoted attribute value; whitespace characters survive attribute normalization. */
export function escapeXmlAttr(text: string): string {
  return reportText(text).replace(ATTR_SPECIAL, reference);
}
