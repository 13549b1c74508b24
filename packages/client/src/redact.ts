/**
 * Secrets never reach a log line, an error message or a report: passwords, tokens, session cookies and client
 * secrets are replaced before any text leaves the client.
 */

const MASK = "[REDACTED]";

const PATTERNS: readonly [RegExp, string][] = [
  // Authorization headers of any scheme.
  [/\b(authorization\s*[:=]\s*)(basic|bearer)\s+[^\s,;"']+/gi, `$1$2 ${MASK}`],
  [/\b(basic|bearer)\s+[A-Za-z0-9+/=._-]{8,}/g, `$1 ${MASK}`],
  // VM v2 session cookie (qualys-api.md 2.2).
  [/(QualysSession=)[^;\s"']+/gi, `$1${MASK}`],
  // Form fields and query parameters that carry secrets.
  [/([?&\s]|^)(password|passwd|token|clientSecret|client_secret)=([^&\s"']*)/gi, `$1$2=${MASK}`],
  // Gateway client-credential headers (qualys-api.md 2.3).
  [/\b(clientSecret\s*[:=]\s*)[^\s,;"']+/gi, `$1${MASK}`],
  // A bare JWT.
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, MASK],
  // Credentials inside a URL (proxies: http://user:pass@host).
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@]+:)[^@\s]+@/gi, `$1${MASK}@`],
];

/** Mask every secret this text may carry. `secrets` are exact values known to the caller (e.g. the password). */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    out = out.split(secret).join(MASK);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join(MASK);
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** A URL with credentials and secret parameters masked. */
export function redactUrl(url: string, secrets: readonly string[] = []): string {
  return redact(url, secrets);
}
