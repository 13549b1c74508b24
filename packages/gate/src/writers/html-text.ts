/**
 * Escaping for text written into HTML reports. Titles, URLs, parameters and web app names come from whoever
 * controls the scanned web app, so every piece of text goes through `escapeHtml`, in element content and in
 * attribute values alike.
 */

/**
 * Characters that should never reach a reader unmarked: C0 controls other than tab, LF, FF and CR (HTML parse
 * errors), DEL and C1 controls, lone surrogates (not encodable as UTF-8), and the bidirectional embedding,
 * override and isolate controls, which can make a URL read differently from what it is ("Trojan Source",
 * CVE-2021-42574). They become U+FFFD so that tampering stays visible instead of silently disappearing.
 */
const UNSAFE_CHARS = /(?![\t\n\f\r])\p{Cc}|[\u202A-\u202E\u2066-\u2069]|\p{Cs}/gu;

// The two quotes are escaped as well, so the same function is safe for text and for quoted attribute values.
const HTML_SPECIAL = /[&<>"']/g;

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
    // `&apos;` is not an HTML 4 entity; the numeric reference works in every parser.
    case "'":
      return "&#39;";
    default:
      return char;
  }
}

/**
 * Escapes text for HTML element content or a quoted attribute value: `&`, `<`, `>`, `"` and `'` become character
 * references, and control or bidirectional-override characters become U+FFFD.
 */
export function escapeHtml(text: string): string {
  return text.replace(UNSAFE_CHARS, "\uFFFD").replace(HTML_SPECIAL, reference);
}
