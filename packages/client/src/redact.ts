/**
 * Secrets never reach a log line, an error message, a report or a database row: passwords, the Basic header's
 * base64 of `user:password`, tokens, session cookies, client secrets and proxy credentials are replaced before any
 * text leaves the process, also when a server or a proxy echoes them back. This module is the one home of the
 * redaction rules and of the names that carry secrets; every package masks through it.
 *
 * Two layers: patterns catch secrets by their shape or name (an `Authorization` header, a `password=` field, a
 * JSON `"clientSecret"` member); exact values known to the caller (see `knownSecrets` in client.ts) are masked in
 * every encoding we send them: raw, URL-encoded (both flavours), JSON- and HTML-escaped, wrapped across lines,
 * and cut short (an excerpt or an echo that truncates the value).
 */

export const MASK = "[REDACTED]";

/**
 * Names of fields, headers, parameters and settings whose value is a secret, as words: `client secret` matches
 * clientSecret, client_secret, client-secret and CLIENT_SECRET.
 */
export const SECRET_NAMES: readonly (readonly string[])[] = [
  ["password"],
  ["passwd"],
  ["client", "secret"],
  ["token"],
  ["access", "token"],
  ["refresh", "token"],
  ["id", "token"],
  ["authorization"],
  ["proxy", "authorization"],
];

const NAME_SOURCE = SECRET_NAMES.map((words) => words.join("[-_]?"))
  // Longest first, so `proxy-authorization` wins over `authorization`.
  .sort((a, b) => b.length - a.length)
  .join("|");
const SECRET_NAME = new RegExp(`^(?:${NAME_SOURCE})$`, "i");

/** Is this field, header, parameter or setting name one whose value is a secret? */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.trim());
}

/** Authorization schemes whose credentials follow after a space. */
const SCHEMES = "basic|bearer|digest|negotiate|ntlm";

/**
 * `name: value`, `name=value`, `"name": "value"`, `'name': 'value'`. Not after a letter, digit, `-` or `.`, so
 * flag names (`--password-file: …`) and config paths (`config.password: required`) stay readable; after `_`
 * yes, so `QUALYS_PASSWORD=…` is masked.
 */
const NAMED_VALUE = new RegExp(
  `(?<![A-Za-z0-9.-])(${NAME_SOURCE})(["']?\\s*[:=]\\s*)` +
    `(?:"((?:[^"\\\\\\r\\n]|\\\\.)*)"|'([^'\\r\\n]*)'|(?:(${SCHEMES})\\s+)?([^\\s"'&,;<>]*))`,
  "gi",
);

/** A scheme followed by credentials, with no header name before it (an echo that kept only the value). */
const SCHEME_VALUE = new RegExp(`(?<![A-Za-z0-9-])(${SCHEMES})(\\s+)([A-Za-z0-9+/=._~-]{8,})`, "gi");

/** Ordinary words after "basic"/"bearer" in prose ("basic authentication") are not credentials. */
const PLAIN_WORD = /^[A-Za-z][a-z]*$/;

const PATTERNS: readonly [RegExp, string | ((...groups: string[]) => string)][] = [
  [
    NAMED_VALUE,
    (_all, name, separator, doubleQuoted, singleQuoted, scheme) => {
      if (doubleQuoted !== undefined) return `${name}${separator}"${MASK}"`;
      if (singleQuoted !== undefined) return `${name}${separator}'${MASK}'`;
      if (scheme !== undefined) return `${name}${separator}${scheme} ${MASK}`;
      return `${name}${separator}${MASK}`;
    },
  ],
  [
    SCHEME_VALUE,
    (all, scheme, space, token) => (PLAIN_WORD.test(token ?? "") ? all : `${scheme}${space}${MASK}`),
  ],
  // XML elements named like a secret: <password>…</password>.
  [new RegExp(`<(${NAME_SOURCE})>[^<]*</\\1>`, "gi"), `<$1>${MASK}</$1>`],
  // VM v2 session cookie (docs/qualys-api.md 2.2).
  [/(QualysSession=)[^;\s"'&,]+/gi, `$1${MASK}`],
  // A bare JWT.
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, MASK],
  // Credentials inside a URL (proxies: http://user:pass@host).
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@]+:)[^@\s]+@/gi, `$1${MASK}@`],
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The forms a secret takes on the wire and in echoes of it. */
function encodings(secret: string): string[] {
  const percent = encodeURIComponent(secret);
  const form = new URLSearchParams({ v: secret }).toString().slice(2);
  const json = JSON.stringify(secret).slice(1, -1);
  const lower = (text: string) => text.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());
  // An HTML or XML error page echoes it escaped.
  const html = secret
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
  return [secret, percent, lower(percent), form, lower(form), json, html];
}

/**
 * Known values shorter than this are not masked by value: a one- or two-letter test password would turn every
 * such letter of every message into the mask. Real Qualys passwords are longer (the subscription's password
 * policy asks for at least 8 characters), and their Basic base64 always is.
 */
const KNOWN_MIN = 3;
/** Shorter values are masked only verbatim: a short password spread over whitespace is just text. */
const WRAP_MIN = 12;
/** A piece this long of a long secret (a truncated echo) is masked too. */
const PIECE_MIN = 12;
const PIECE = /[A-Za-z0-9+/=._~%-]{12,}/g;

/** Compiled masks of a set of known values: each value's encodings, longest first, and their wrapped forms. */
function knownMasks(secrets: readonly string[]): (text: string) => string {
  const values = [...new Set(secrets.filter((s) => s.length >= KNOWN_MIN).flatMap(encodings))].sort(
    (a, b) => b.length - a.length,
  );
  if (values.length === 0) return (text) => text;
  // Line-wrapped (MIME base64 breaks every 76 characters), also as escaped \r\n in a JSON echo: one
  // alternation, longest value first, so a text is scanned once.
  const wrappable = values.filter((value) => value.length >= WRAP_MIN);
  const wrapped =
    wrappable.length > 0
      ? new RegExp(
          wrappable.map((value) => [...value].map(escapeRegExp).join("(?:\\s|\\\\[rn])*")).join("|"),
          "g",
        )
      : undefined;
  const long = values.filter((v) => v.length >= PIECE_MIN + 4);
  return (text) => {
    let out = text;
    for (const value of values) if (out.includes(value)) out = out.split(value).join(MASK);
    if (wrapped && /[\s\\]/.test(out)) out = out.replace(wrapped, MASK);
    // A truncated echo: a long run of token characters that is a piece of a known value.
    if (long.length > 0)
      out = out.replace(PIECE, (piece) => (long.some((v) => v.includes(piece)) ? MASK : piece));
    return out;
  };
}

function maskPatterns(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS)
    out = out.replace(pattern, replacement as (substring: string, ...args: string[]) => string);
  return out;
}

/** A redactor for one set of known secrets, compiled once: for callers that mask many texts. */
export interface Redactor {
  /** Known values and secret shapes (as `redact`). */
  redact(text: string): string;
  /** Known values only (as `redactKnown`). */
  redactKnown(text: string): string;
}

export function createRedactor(secrets: readonly string[]): Redactor {
  const known = knownMasks(secrets);
  return { redact: (text) => maskPatterns(known(text)), redactKnown: known };
}

/**
 * Mask every secret this text may carry. `secrets` are exact values known to the caller (the password, the
 * base64 of `user:password`, the session id, tokens); each is masked in every encoding it travels in.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  return maskPatterns(knownMasks(secrets)(text));
}

/**
 * Mask only the known secret values, not shapes: for text that is data (scan findings, knowledge base prose),
 * where a pattern could alter evidence but a known secret must still never appear.
 */
export function redactKnown(text: string, secrets: readonly string[]): string {
  return knownMasks(secrets)(text);
}

/** A URL with credentials and secret parameters masked. */
export function redactUrl(url: string, secrets: readonly string[] = []): string {
  return redact(url, secrets);
}
