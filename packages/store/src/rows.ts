/** Records to rows and back: the one place that knows how each field is stored. */

import { createHash } from "node:crypto";
import {
  type ApplicationRecord,
  type DefinitionRecord,
  type FindingRecord,
  toSeverity,
} from "@qualys-connector/model";
import type { Kysely } from "kysely";
import {
  type ApplicationsTable,
  type Database,
  type DefinitionsTable,
  type FindingsTable,
  findingFingerprint,
} from "./schema.js";
import type { SubscriptionRow } from "./store.js";

const opt = <T>(value: T | null): T | undefined => (value === null ? undefined : value);
const nul = <T>(value: T | undefined): T | null => (value === undefined ? null : value);
const list = (text: string): string[] => JSON.parse(text) as string[];

/** Key orders of the object shapes seen, by their keys as listed: records of one kind share a handful of shapes. */
const sortedKeys = new Map<string, string[]>();
const byLocale = (a: string, b: string) => a.localeCompare(b);

/**
 * The value with every plain object's keys in sorted order (arrays keep theirs), so that `JSON.stringify` runs
 * without a replacer. Anything but plain objects, arrays and primitives (a `toJSON`, a class instance) returns
 * undefined: the caller then takes the replacer path, which gives the same text for those.
 */
function canonical(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i += 1) {
      const item = canonical(value[i]);
      if (item === undefined && value[i] !== undefined) return undefined;
      out[i] = item;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return undefined;
  const keys = Object.keys(value);
  const shape = keys.join("\u0000");
  let order = sortedKeys.get(shape);
  if (order === undefined) {
    order = [...keys].sort(byLocale);
    if (sortedKeys.size < 1000) sortedKeys.set(shape, order);
  }
  const out: Record<string, unknown> = {};
  for (const key of order) {
    if (key === "__proto__") return undefined;
    const field = (value as Record<string, unknown>)[key];
    const item = canonical(field);
    if (item === undefined && field !== undefined) return undefined;
    out[key] = item;
  }
  return out;
}

/** A stable hash of a record: keys sorted, so field order never matters. */
export function contentHash(record: object): string {
  const sorted = canonical(record);
  const text =
    sorted !== undefined
      ? JSON.stringify(sorted)
      : JSON.stringify(record, (_key, value: unknown) =>
          value && typeof value === "object" && !Array.isArray(value)
            ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
            : value,
        );
  return createHash("sha256").update(text).digest("hex");
}

type Data<T> = Omit<
  T,
  | "subscription_id"
  | "uid"
  | "source"
  | "content_hash"
  | "first_seen_at"
  | "last_seen_at"
  | "vanished_at"
  | "labels"
>;

export function applicationRow(r: ApplicationRecord): Data<ApplicationsTable> {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    owner_id: nul(r.ownerId),
    tags: JSON.stringify(r.tags),
    categories: JSON.stringify(r.categories),
    created_date: nul(r.createdDate),
    updated_date: nul(r.updatedDate),
  };
}

export function applicationRecord(row: ApplicationsTable): ApplicationRecord {
  return {
    uid: row.uid,
    id: Number(row.id),
    name: row.name,
    url: row.url,
    ownerId: row.owner_id === null ? undefined : Number(row.owner_id),
    tags: list(row.tags),
    categories: list(row.categories),
    createdDate: opt(row.created_date),
    updatedDate: opt(row.updated_date),
  };
}

export function findingRow(r: FindingRecord): Data<FindingsTable> {
  return {
    id: r.id,
    web_app_id: r.webAppId,
    qid: r.qid,
    name: r.name,
    type: r.type,
    potential: r.potential ? 1 : 0,
    status: nul(r.status),
    severity: nul(r.severity),
    severity_label: nul(r.severityLabel),
    url: nul(r.url),
    param: nul(r.param),
    first_detected_date: nul(r.firstDetectedDate),
    last_detected_date: nul(r.lastDetectedDate),
    last_tested_date: nul(r.lastTestedDate),
    fixed_date: nul(r.fixedDate),
    times_detected: nul(r.timesDetected),
    is_ignored: r.isIgnored ? 1 : 0,
    ignored_reason: nul(r.ignoredReason),
    ignored_date: nul(r.ignoredDate),
    cwe: JSON.stringify(r.cwe),
    owasp: JSON.stringify(r.owasp),
    wasc: JSON.stringify(r.wasc),
    categories: JSON.stringify(r.categories),
    evidence_request: nul(r.evidence.request),
    evidence_response: nul(r.evidence.response),
    evidence_truncated: r.evidence.truncated ? 1 : 0,
    authenticated: r.authenticated === undefined ? null : r.authenticated ? 1 : 0,
    fingerprint: findingFingerprint(r.webAppId, r.qid, r.url, r.param),
  };
}

export function findingRecord(row: FindingsTable): FindingRecord {
  return {
    uid: row.uid,
    id: Number(row.id),
    webAppId: Number(row.web_app_id),
    qid: Number(row.qid),
    name: row.name,
    type: row.type,
    potential: Number(row.potential) === 1,
    status: opt(row.status),
    severity: row.severity === null ? undefined : toSeverity(Number(row.severity)),
    severityLabel: opt(row.severity_label),
    url: opt(row.url),
    param: opt(row.param),
    firstDetectedDate: opt(row.first_detected_date),
    lastDetectedDate: opt(row.last_detected_date),
    lastTestedDate: opt(row.last_tested_date),
    fixedDate: opt(row.fixed_date),
    timesDetected: row.times_detected === null ? undefined : Number(row.times_detected),
    isIgnored: Number(row.is_ignored) === 1,
    ignoredReason: opt(row.ignored_reason),
    ignoredDate: opt(row.ignored_date),
    cwe: list(row.cwe),
    owasp: list(row.owasp),
    wasc: list(row.wasc),
    categories: list(row.categories),
    evidence: {
      request: opt(row.evidence_request),
      response: opt(row.evidence_response),
      truncated: Number(row.evidence_truncated) === 1,
    },
    authenticated: row.authenticated === null ? undefined : Number(row.authenticated) === 1,
  };
}

export function definitionRow(r: DefinitionRecord): Data<DefinitionsTable> {
  return {
    qid: r.qid,
    title: r.title,
    severity: nul(r.severity),
    severity_score: r.severityScore,
    categories: JSON.stringify(r.categories),
    vuln_type: nul(r.vulnType),
    cves: JSON.stringify(r.cves),
    cvss_v2_base: nul(r.cvssV2Base),
    cvss_v2_vector: nul(r.cvssV2Vector),
    cvss_v3_base: nul(r.cvssV3Base),
    cvss_v3_vector: nul(r.cvssV3Vector),
    diagnosis: nul(r.diagnosis),
    consequence: nul(r.consequence),
    solution: nul(r.solution),
    pci: r.pci ? 1 : 0,
    published_date: nul(r.publishedDate),
    last_service_modification_date: nul(r.lastServiceModificationDate),
  };
}

export function definitionRecord(row: DefinitionsTable): DefinitionRecord {
  const num = (v: number | null) => (v === null ? undefined : Number(v));
  return {
    uid: row.uid,
    qid: Number(row.qid),
    title: row.title,
    severity: row.severity === null ? undefined : toSeverity(Number(row.severity)),
    severityScore: Number(row.severity_score),
    categories: list(row.categories),
    vulnType: opt(row.vuln_type),
    cves: list(row.cves),
    cvssV2Base: num(row.cvss_v2_base),
    cvssV2Vector: opt(row.cvss_v2_vector),
    cvssV3Base: num(row.cvss_v3_base),
    cvssV3Vector: opt(row.cvss_v3_vector),
    diagnosis: opt(row.diagnosis),
    consequence: opt(row.consequence),
    solution: opt(row.solution),
    pci: Number(row.pci) === 1,
    publishedDate: opt(row.published_date),
    lastServiceModificationDate: opt(row.last_service_modification_date),
  };
}

/** The subscriptions a store holds rows of, in id order (for the writing store and the dashboard's reader alike). */
export async function listSubscriptions(db: Kysely<Database>): Promise<SubscriptionRow[]> {
  const rows = await db
    .selectFrom("subscriptions")
    .select(["id", "api_url", "username", "created_at"])
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    apiUrl: r.api_url,
    username: r.username,
    createdAt: r.created_at,
  }));
}
