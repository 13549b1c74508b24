/**
 * CWE, OWASP Top 10 and WASC classes of a WAS finding, in one form for the gate and the store.
 *
 * OWASP classes keep their edition: the same number names different risks in different editions (A5 is Broken
 * Access Control in 2017, A05 Security Misconfiguration in 2021), so a bare "A05" cannot be mapped to a report
 * that asks for OWASP 2017. Qualys' verbose findings give `owasp.list.OWASP{code, name, url}` where the code is
 * only the rank (`3`) and the edition is in the URL (`https://owasp.org/Top10/A03_2021-Injection/`,
 * docs/qualys-api.md 3.9); report files give the code alone (`A6`) with an OWASP_LIST of names of one edition
 * (the 2017 names in reports of that generation, docs/qualys-api.md 6.1). Every class Qualys lists is kept, so
 * a QID that Qualys maps to both the 2021 and the 2017 edition keeps both.
 */

import type { Finding } from "@qualys-connector/client";

export interface OwaspClass {
  /** The Top 10 edition (2017, 2021, …), or undefined when Qualys did not say. */
  edition: number | undefined;
  /** As that edition writes it: `A03` from 2021 on, `A3` before. */
  code: string;
}

/** The OWASP Top 10 names of the editions Qualys findings and reports use, by rank, to tell an edition by name. */
const OWASP_NAMES: Readonly<Record<number, readonly string[]>> = {
  2017: [
    "Injection",
    "Broken Authentication",
    "Sensitive Data Exposure",
    "XML External Entities (XXE)",
    "Broken Access Control",
    "Security Misconfiguration",
    "Cross-Site Scripting (XSS)",
    "Insecure Deserialization",
    "Using Components with Known Vulnerabilities",
    "Insufficient Logging & Monitoring",
  ],
  2021: [
    "Broken Access Control",
    "Cryptographic Failures",
    "Injection",
    "Insecure Design",
    "Security Misconfiguration",
    "Vulnerable and Outdated Components",
    "Identification and Authentication Failures",
    "Software and Data Integrity Failures",
    "Security Logging and Monitoring Failures",
    "Server-Side Request Forgery (SSRF)",
  ],
};

const simple = (name: string) => name.toLowerCase().replace(/[^a-z]/g, "");

/** The edition whose rank `rank` has this name, when exactly one does. */
function editionByName(rank: number, name: string | undefined): number | undefined {
  if (!name) return undefined;
  const wanted = simple(name);
  const editions = Object.entries(OWASP_NAMES)
    .filter(([, names]) => simple(names[rank - 1] ?? "") === wanted)
    .map(([edition]) => Number(edition));
  return editions.length === 1 ? editions[0] : undefined;
}

/** The rank and edition a URL names: `…/Top10/A03_2021-Injection/`, `…/2017/A6_2017-…`, `…Top_10_2013-A5-…`. */
function fromUrl(url: string | undefined): { rank: number; edition: number } | undefined {
  if (!url) return undefined;
  const current = /\bA(\d{1,2})_(20\d\d)\b/i.exec(url);
  if (current) return { rank: Number(current[1]), edition: Number(current[2]) };
  const older = /Top_?10[_-](20\d\d)-A(\d{1,2})\b/i.exec(url);
  if (older) return { rank: Number(older[2]), edition: Number(older[1]) };
  return undefined;
}

function codeOf(rank: number, edition: number | undefined): string {
  // OWASP pads the rank from the 2021 edition on ("A03:2021"); 2017 and before wrote "A3:2017".
  return `A${edition !== undefined && edition >= 2021 ? String(rank).padStart(2, "0") : rank}`;
}

/**
 * One OWASP entry as Qualys gives it (`code` `3`, `A6`, `A03:2021`; `name`; `url`) with its edition: from the
 * code, else the URL, else the name when only one edition has that name at that rank.
 */
export function owaspClass(entry: {
  code?: string | undefined;
  name?: string | undefined;
  url?: string | undefined;
}): OwaspClass | undefined {
  const code = entry.code?.trim() ?? "";
  const written = /^A?(\d{1,2})(?::(20\d\d))?\b/i.exec(code);
  const url = fromUrl(entry.url);
  const rank = written ? Number(written[1]) : url?.rank;
  if (rank === undefined || rank < 1) {
    const text = code || entry.name?.trim() || "";
    return text === "" ? undefined : { edition: undefined, code: text };
  }
  const edition =
    (written?.[2] !== undefined ? Number(written[2]) : undefined) ??
    (url && url.rank === rank ? url.edition : undefined) ??
    editionByName(rank, entry.name);
  return { edition, code: codeOf(rank, edition) };
}

/** `A03:2021`, `A6:2017`, or the bare code when the edition is unknown: the form the store and the gate keep. */
export function owaspText(owasp: OwaspClass): string {
  return owasp.edition === undefined ? owasp.code : `${owasp.code}:${owasp.edition}`;
}

/** The classes of a finding, as text: `CWE-79`; `A03:2021`; `WASC-22` (Qualys sends WASC codes as `22`). */
export interface WebClasses {
  cwe: string[];
  owasp: string[];
  wasc: string[];
}

export function webClasses(finding: Pick<Finding, "cwe" | "owasp" | "wasc">): WebClasses {
  const unique = (values: string[]) => [...new Set(values)];
  return {
    cwe: unique(finding.cwe.map((id) => `CWE-${id}`)),
    owasp: unique(
      finding.owasp.flatMap((o) => {
        const c = owaspClass(o);
        return c ? [owaspText(c)] : [];
      }),
    ),
    wasc: unique(
      finding.wasc
        .map((w) => {
          const code = w.code?.trim() ?? "";
          if (/^\d+$/.test(code)) return `WASC-${code}`;
          return code || w.name?.trim() || "";
        })
        .filter((c) => c !== ""),
    ),
  };
}
