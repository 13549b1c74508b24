/**
 * Stable identities for findings, so that a baseline, an exception or a SARIF `partialFingerprints` entry made
 * from one scan still matches the same problem in the next scan. Scans report the same issue with cosmetic URL
 * differences (host case, default port, fragment, query values such as cache busters and session ids), so the
 * URL is normalized first.
 */

import { createHash } from "node:crypto";

/**
 * A URL reduced to what identifies a resource: lower-case scheme and host, no default port, no fragment, no
 * user info, query parameter names sorted with their values dropped. Text that is not an absolute URL is only
 * trimmed, so a relative path still compares equal to itself.
 */
export function normalizeUrl(raw: string | undefined): string {
  const text = (raw ?? "").trim();
  if (text === "") return "";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return text;
  const names = [...new Set([...url.searchParams.keys()])].sort();
  const query = names.length > 0 ? `?${names.map((n) => encodeURIComponent(n)).join("&")}` : "";
  // URL already lower-cases the host and drops default ports; the path keeps its case (servers may differ).
  return `${url.protocol}//${url.host}${url.pathname}${query}`;
}

export interface FingerprintParts {
  /** The scanned target: a web app id, or a host IP / instance id for VM. */
  target: string;
  qid: number;
  url?: string | undefined;
  param?: string | undefined;
}

/** 32 hex characters of SHA-256 over target, QID, normalized URL and parameter. */
export function fingerprint(parts: FingerprintParts): string {
  const key = [parts.target, String(parts.qid), normalizeUrl(parts.url), (parts.param ?? "").trim()].join(
    "\u001f",
  );
  return createHash("sha256").update(key).digest("hex").slice(0, 32);
}
