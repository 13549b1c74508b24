/**
 * KnowledgeBase `/api/2.0/fo/knowledge_base/vuln/` (docs/qualys-api.md 4.6): QIDs in POST batches, details,
 * id and date filters, and truncation: a WARNING with CODE 1980 carries the URL of the next batch, followed
 * as is.
 */

import type { HttpCore } from "./http-client.js";
import { asList, at, int, num, parseXml, text, type XmlNode } from "./xml.js";

export interface KbQuery {
  ids?: readonly number[];
  details?: "Basic" | "All" | "None";
  idMin?: number;
  idMax?: number;
  /** UTC, `YYYY-MM-DDTHH:MM:SSZ`. */
  lastModifiedAfter?: string;
  /** QIDs per POST when `ids` is given (Qualys' own WAS plugin uses 500). */
  batchSize?: number;
}

export interface KbVuln {
  qid: number;
  vulnType: string | undefined;
  severity: number | undefined;
  title: string;
  category: string | undefined;
  lastServiceModificationDate: string | undefined;
  publishedDate: string | undefined;
  /** Trimmed: some CVE ids arrive with stray spaces (Brinqa's Qualys WAS connector changelog, 5.1.3). */
  cves: string[];
  diagnosis: string | undefined;
  consequence: string | undefined;
  solution: string | undefined;
  cvssV2: { base: number | undefined; vector: string | undefined } | undefined;
  cvssV3: { base: number | undefined; vector: string | undefined } | undefined;
  pci: boolean;
}

export function toKbVuln(node: XmlNode): KbVuln {
  const cvss = (key: string) => {
    const c = at(node, key);
    return c === undefined ? undefined : { base: num(at(c, "BASE")), vector: text(at(c, "VECTOR_STRING")) };
  };
  return {
    qid: int(node.QID) ?? 0,
    vulnType: text(node.VULN_TYPE),
    severity: int(node.SEVERITY_LEVEL),
    title: text(node.TITLE) ?? "",
    category: text(node.CATEGORY),
    lastServiceModificationDate: text(node.LAST_SERVICE_MODIFICATION_DATETIME),
    publishedDate: text(node.PUBLISHED_DATETIME),
    cves: asList(at(node, "CVE_LIST.CVE"))
      .map((c) => text(at(c, "ID"))?.trim() ?? "")
      .filter((id) => id.length > 0),
    diagnosis: text(node.DIAGNOSIS),
    consequence: text(node.CONSEQUENCE),
    solution: text(node.SOLUTION),
    cvssV2: cvss("CVSS"),
    cvssV3: cvss("CVSS_V3"),
    pci: text(node.PCI_FLAG) === "1",
  };
}

export class KnowledgeBase {
  constructor(private readonly core: HttpCore) {}

  /** Every matching VULN (or, with details=None, every QID as `{ QID }`), following truncation URLs. */
  async *list(query: KbQuery = {}): AsyncGenerator<XmlNode> {
    const base: Record<string, string> = { action: "list", details: query.details ?? "All" };
    if (query.idMin !== undefined) base.id_min = String(query.idMin);
    if (query.idMax !== undefined) base.id_max = String(query.idMax);
    if (query.lastModifiedAfter) base.last_modified_after = query.lastModifiedAfter;
    const batches: (Record<string, string> | undefined)[] = [];
    if (query.ids) {
      const size = query.batchSize ?? 500;
      for (let i = 0; i < query.ids.length; i += size)
        batches.push({ ...base, ids: query.ids.slice(i, i + size).join(",") });
    } else {
      batches.push(base);
    }
    for (const params of batches) {
      if (!params) continue;
      let next: string | undefined;
      let first = true;
      while (first || next) {
        const info = this.core.info("POST", "/api/2.0/fo/knowledge_base/vuln/");
        const read = (response: { body: string }) => parseXml(response.body, info);
        const doc = next
          ? await this.core.callAndRead(
              {
                family: "v2",
                method: "GET",
                path: "/api/2.0/fo/knowledge_base/vuln/",
                absoluteUrl: next,
                idempotent: true,
              },
              read,
            )
          : await this.core.callAndRead(
              {
                family: "v2",
                method: "POST",
                path: "/api/2.0/fo/knowledge_base/vuln/",
                params,
                idempotent: true,
              },
              read,
            );
        first = false;
        const res = at(doc, "KNOWLEDGE_BASE_VULN_LIST_OUTPUT.RESPONSE");
        for (const vuln of asList<XmlNode>(at(res, "VULN_LIST.VULN"))) yield vuln;
        for (const id of asList(at(res, "ID_SET.ID"))) yield { QID: id };
        const warning = at(res, "WARNING");
        next = text(at(warning, "CODE")) === "1980" ? this.sameOrigin(text(at(warning, "URL"))) : undefined;
      }
    }
  }

  /** Every matching VULN, normalized (`details` defaults to All, so CVSS is included; 4.6). */
  async *vulns(query: KbQuery = {}): AsyncGenerator<KbVuln> {
    for await (const node of this.list(query)) yield toKbVuln(node);
  }

  /** Follow a truncation URL only on our API origin (a different host would be a misconfiguration, or worse). */
  private sameOrigin(url: string | undefined): string | undefined {
    if (!url) return undefined;
    const next = new URL(url);
    const api = new URL(this.core.options.apiUrl);
    if (next.origin !== api.origin) {
      throw new Error(
        `KnowledgeBase truncation URL points at ${next.origin}, not the API server ${api.origin}`,
      );
    }
    return next.toString();
  }
}
