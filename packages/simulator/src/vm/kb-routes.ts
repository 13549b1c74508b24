/**
 * KnowledgeBase `/api/2.0/fo/knowledge_base/vuln/` (and `/api/3.0/`), docs/qualys-api.md 4.6: ids and ranges,
 * id_min/id_max, details=Basic|All|None, modification and publication date filters, and truncation with
 * WARNING 1980 and a next-page URL carrying `id_min`.
 */
import type { ApiRequest, Route, SimContext } from "../http/types.js";
import type { SimKbVuln } from "../model.js";
import { v2DateTime } from "../wire/simple-return.js";
import { cdata, el, elA, opt, optCdata, type XmlElement } from "../wire/xml.js";
import { inRanges, invalidValue, parseIdList, parseV2Date, v2Actions, v2Xml } from "./v2.js";

/** Records per answer before truncation. UNCONFIRMED for the KB (QSDK: it "normally does not paginate"). */
export const KB_TRUNCATION_LIMIT = 1000;

function vulnXml(v: SimKbVuln, details: "Basic" | "All"): XmlElement {
  const all = details === "All";
  return el(
    "VULN",
    el("QID", v.qid),
    el("VULN_TYPE", v.vulnType),
    el("SEVERITY_LEVEL", v.severity),
    el("TITLE", cdata(v.title)),
    el("CATEGORY", v.category),
    el("LAST_SERVICE_MODIFICATION_DATETIME", v.lastServiceModificationDate),
    el("PUBLISHED_DATETIME", v.publishedDate),
    opt("CODE_MODIFIED_DATETIME", all ? v.codeModifiedDate : null),
    v.bugtraqIds.length > 0
      ? el(
          "BUGTRAQ_LIST",
          ...v.bugtraqIds.map((id) =>
            el("BUGTRAQ", el("ID", cdata(id)), el("URL", cdata(`http://www.securityfocus.com/bid/${id}`))),
          ),
        )
      : null,
    el("PATCHABLE", v.patchable ? 1 : 0),
    v.software.length > 0
      ? el(
          "SOFTWARE_LIST",
          ...v.software.map((s) =>
            el("SOFTWARE", el("PRODUCT", cdata(s.product)), el("VENDOR", cdata(s.vendor))),
          ),
        )
      : null,
    v.vendorReferences.length > 0
      ? el(
          "VENDOR_REFERENCE_LIST",
          ...v.vendorReferences.map((id) =>
            el(
              "VENDOR_REFERENCE",
              el("ID", cdata(id)),
              el("URL", cdata(`https://vendor.example/advisories/${encodeURIComponent(id)}`)),
            ),
          ),
        )
      : null,
    v.cves.length > 0
      ? el(
          "CVE_LIST",
          ...v.cves.map((id) =>
            el(
              "CVE",
              el("ID", cdata(id)),
              el("URL", cdata(`http://cve.mitre.org/cgi-bin/cvename.cgi?name=${id.trim()}`)),
            ),
          ),
        )
      : null,
    optCdata("DIAGNOSIS", v.diagnosis),
    optCdata("CONSEQUENCE", v.consequence),
    optCdata("SOLUTION", v.solution),
    // The real list without `details` had no CVSS (J1 recording); details=All adds it
    // (docs/qualys-api.md 4.6).
    all && v.cvssV2
      ? el(
          "CVSS",
          el("BASE", v.cvssV2.base),
          opt("TEMPORAL", v.cvssV2.temporal),
          opt("VECTOR_STRING", v.cvssV2.vector),
        )
      : null,
    all && v.cvssV3
      ? el(
          "CVSS_V3",
          el("BASE", v.cvssV3.base),
          opt("TEMPORAL", v.cvssV3.temporal),
          opt("VECTOR_STRING", v.cvssV3.vector),
          opt("CVSS3_VERSION", v.cvssV3.vector?.startsWith("CVSS:3.0") ? "3.0" : "3.1"),
        )
      : null,
    el("PCI_FLAG", v.pciFlag ? 1 : 0),
    v.threatIntel.length > 0
      ? el(
          "THREAT_INTELLIGENCE",
          ...v.threatIntel.map((t, i) => elA("THREAT_INTEL", { id: i + 1 }, cdata(t))),
        )
      : null,
    all ? el("SUPPORTED_MODULES", v.supportedModules.join(",")) : null,
    el(
      "DISCOVERY",
      el("REMOTE", v.discoveryRemote ? 1 : 0),
      v.authTypes.length > 0 ? el("AUTH_TYPE_LIST", ...v.authTypes.map((a) => el("AUTH_TYPE", a))) : null,
      opt("ADDITIONAL_INFO", v.patchable ? "Patch Available" : null),
    ),
  );
}

function list(req: ApiRequest, ctx: SimContext, params: URLSearchParams) {
  const detailsRaw = params.get("details") ?? "Basic";
  if (!["Basic", "All", "None"].includes(detailsRaw)) invalidDetails(detailsRaw);
  const details = detailsRaw as "Basic" | "All" | "None";
  const ids = params.get("ids");
  const ranges = ids ? parseIdList("ids", ids) : undefined;
  const idMin = intParam(params, "id_min");
  const idMax = intParam(params, "id_max");
  const dateFilters: { name: string; field: keyof SimKbVuln; after: boolean }[] = [
    { name: "last_modified_after", field: "lastServiceModificationDate", after: true },
    { name: "last_modified_before", field: "lastServiceModificationDate", after: false },
    { name: "last_modified_by_service_after", field: "lastServiceModificationDate", after: true },
    { name: "last_modified_by_service_before", field: "lastServiceModificationDate", after: false },
    { name: "published_after", field: "publishedDate", after: true },
    { name: "published_before", field: "publishedDate", after: false },
  ];
  const active = dateFilters
    .filter((f) => params.get(f.name) !== null)
    .map((f) => ({ ...f, at: parseV2Date(f.name, params.get(f.name) ?? "") }));
  const limitRaw = params.get("truncation_limit");
  const limit = limitRaw === null ? KB_TRUNCATION_LIMIT : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 0)
    throw invalidValue("truncation_limit", String(limitRaw), "expected a non-negative integer");

  const matches: SimKbVuln[] = [];
  let nextQid: number | undefined;
  for (const v of ctx.world.kb.values()) {
    if (ranges && !inRanges(v.qid, ranges)) continue;
    if (idMin !== undefined && v.qid < idMin) continue;
    if (idMax !== undefined && v.qid > idMax) continue;
    if (
      !active.every((f) =>
        f.after ? Date.parse(String(v[f.field])) >= f.at : Date.parse(String(v[f.field])) <= f.at,
      )
    )
      continue;
    if (limit > 0 && matches.length === limit) {
      nextQid = v.qid;
      break;
    }
    matches.push(v);
  }

  const children: (XmlElement | null)[] = [el("DATETIME", v2DateTime(ctx.now()))];
  if (matches.length > 0) {
    children.push(
      details === "None"
        ? el("ID_SET", ...matches.map((v) => el("ID", v.qid)))
        : el("VULN_LIST", ...matches.map((v) => vulnXml(v, details))),
    );
  }
  if (nextQid !== undefined) {
    // docs/qualys-api.md 4.6: the same request with id_min at the next record.
    const next = new URL(req.url.pathname, req.url.origin);
    for (const [key, value] of params) if (key !== "id_min") next.searchParams.set(key, value);
    next.searchParams.set("id_min", String(nextQid));
    children.push(
      el(
        "WARNING",
        el("CODE", 1980),
        el("TEXT", `${limit} record limit exceeded. Use URL to get next batch of results.`),
        el("URL", cdata(next.toString())),
      ),
    );
  }
  return v2Xml(
    req,
    el("KNOWLEDGE_BASE_VULN_LIST_OUTPUT", el("RESPONSE", ...children)),
    "/api/2.0/fo/knowledge_base/vuln/knowledge_base_vuln_list_output.dtd",
  );
}

function invalidDetails(value: string): never {
  throw invalidValue("details", value, "expected Basic, All or None");
}

function intParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) throw invalidValue(name, raw, "not a positive integer");
  return Number(raw);
}

export const kbRoutes: Route[] = ["/api/2.0/fo/knowledge_base/vuln", "/api/3.0/fo/knowledge_base/vuln"].map(
  (path) => ({
    method: "GET|POST" as const,
    path,
    family: "v2" as const,
    module: "KB" as const,
    handler: v2Actions({ list }),
  }),
);
