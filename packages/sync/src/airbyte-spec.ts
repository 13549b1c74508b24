/**
 * `spec` and `discover`: the config's JSON Schema (the platform's connection form) and the streams' record
 * schemas, written from the model's record types.
 */

import { DEFAULT_CONCURRENCY, PAGE_SIZE, PLATFORM_IDS } from "@qualys-connector/client";
import { FINDING_STATUSES, SEVERITIES } from "@qualys-connector/model";
import type { AirbyteMessage, AirbyteStreamName, JsonSchema } from "./airbyte-protocol.js";
import { AIRBYTE_STREAMS } from "./airbyte-protocol.js";
import { STREAM_REGISTRY } from "./streams.js";

/** Most calls in flight the config accepts. */
export const MAX_CONCURRENCY = 64;

/** Qualys DATE criteria take a UTC date-time, `YYYY-MM-DDTHH:MM:SSZ` (docs/qualys-api.md 3.3), or a whole day. */
export const DATE_PATTERN = "^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}:\\d{2}Z)?$";

const ID_LIST: JsonSchema = { type: "array", items: { type: "integer", minimum: 1 }, uniqueItems: true };

/** The config's fields, as the platform's connection form shows them. */
export const CONFIG_PROPERTIES: { readonly [key: string]: JsonSchema } = {
  api_url: {
    type: "string",
    title: "API server URL",
    description:
      "The Qualys API server of the subscription (Help > About in the Qualys UI), e.g. https://qualysapi.qg2.apps.qualys.com. Give this or platform.",
    pattern: "^https?://",
    order: 0,
  },
  platform: {
    type: "string",
    title: "Platform",
    description: "The Qualys shared platform, instead of api_url.",
    enum: [...PLATFORM_IDS],
    order: 1,
  },
  username: { type: "string", title: "Username", order: 2 },
  password: { type: "string", title: "Password", airbyte_secret: true, order: 3 },
  page_size: {
    type: "integer",
    title: "Page size",
    description: `Records per API page and per STATE message (Qualys allows at most ${PAGE_SIZE.max}).`,
    minimum: PAGE_SIZE.min,
    maximum: PAGE_SIZE.max,
    default: PAGE_SIZE.default,
    order: 4,
  },
  concurrency: {
    type: "integer",
    title: "Concurrent calls",
    description: "API calls in flight at once; Qualys' Standard subscriptions allow 2.",
    minimum: 1,
    maximum: MAX_CONCURRENCY,
    default: DEFAULT_CONCURRENCY,
    order: 5,
  },
  max_retries: {
    type: "integer",
    title: "Retries",
    description: "Retries of a failed idempotent call (5xx, rate limits, resets).",
    minimum: 0,
    maximum: 100,
    default: 5,
    order: 6,
  },
  request_timeout: {
    type: "integer",
    title: "Request timeout (seconds)",
    description: "Per API call; 0 disables.",
    minimum: 0,
    maximum: 86_400,
    default: 120,
    order: 7,
  },
  updated_since: {
    type: "string",
    title: "Web apps updated since",
    description: "UTC date or date-time, e.g. 2026-01-01 or 2026-01-01T00:00:00Z.",
    pattern: DATE_PATTERN,
    order: 8,
  },
  last_detected_since: {
    type: "string",
    title: "Findings last detected since",
    description: "UTC date or date-time.",
    pattern: DATE_PATTERN,
    order: 9,
  },
  severity: {
    type: "array",
    title: "Finding severities",
    description: "Only findings of these severities (1 to 5); all when empty.",
    items: { type: "integer", enum: [...SEVERITIES] },
    uniqueItems: true,
    order: 10,
  },
  status: {
    type: "array",
    title: "Finding statuses",
    description: "Only findings with these statuses; all when empty.",
    items: { type: "string", enum: [...FINDING_STATUSES] },
    uniqueItems: true,
    order: 11,
  },
  webapp_ids: {
    ...ID_LIST,
    title: "Web app ids",
    description: "Only these web apps and their findings; all when empty.",
    order: 12,
  },
  qids: {
    ...ID_LIST,
    title: "Extra QIDs",
    description: "Definitions to read besides those the findings reference.",
    order: 13,
  },
};

/** The JSON Schema of the source's config. */
export function connectionSpecification(): JsonSchema {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "Qualys WAS",
    type: "object",
    required: ["username", "password"],
    additionalProperties: true,
    properties: CONFIG_PROPERTIES,
  };
}

export function specMessage(): AirbyteMessage {
  return {
    type: "SPEC",
    spec: {
      connectionSpecification: connectionSpecification(),
      supportsIncremental: true,
      supported_destination_sync_modes: ["overwrite", "append", "append_dedup"],
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// discover: the record schemas, written from the model's record types (was-records.ts)

const nullable = (type: string, extra: JsonSchema = {}): JsonSchema => ({ type: [type, "null"], ...extra });
/** Destinations map `format: date-time` plus this airbyte_type to a timestamp column. */
const time = nullable("string", { format: "date-time", airbyte_type: "timestamp_with_timezone" });
const textList: JsonSchema = { type: "array", items: { type: "string" } };
const severity = nullable("integer", { minimum: 1, maximum: 5 });

function recordSchema(properties: { [field: string]: JsonSchema }): JsonSchema {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    // Every declared field is present in a record (null when Qualys gave none); new fields may be added.
    required: Object.keys(properties),
    additionalProperties: true,
    properties,
  };
}

export const WEBAPP_SCHEMA = recordSchema({
  uid: { type: "string" },
  id: { type: "integer" },
  name: { type: "string" },
  url: { type: "string" },
  ownerId: nullable("integer"),
  tags: textList,
  categories: textList,
  createdDate: time,
  updatedDate: time,
});

export const FINDING_SCHEMA = recordSchema({
  uid: { type: "string" },
  id: { type: "integer" },
  webAppId: { type: "integer" },
  qid: { type: "integer" },
  name: { type: "string" },
  type: { type: "string" },
  potential: { type: "boolean" },
  status: nullable("string"),
  severity,
  severityLabel: nullable("string"),
  url: nullable("string"),
  param: nullable("string"),
  firstDetectedDate: time,
  lastDetectedDate: time,
  lastTestedDate: time,
  fixedDate: time,
  timesDetected: nullable("integer"),
  isIgnored: { type: "boolean" },
  ignoredReason: nullable("string"),
  ignoredDate: time,
  cwe: textList,
  owasp: textList,
  wasc: textList,
  categories: textList,
  evidence: {
    type: "object",
    required: ["request", "response", "truncated"],
    additionalProperties: true,
    properties: { request: nullable("string"), response: nullable("string"), truncated: { type: "boolean" } },
  },
});

export const DEFINITION_SCHEMA = recordSchema({
  uid: { type: "string" },
  qid: { type: "integer" },
  title: { type: "string" },
  severity,
  severityScore: { type: "number", minimum: 0, maximum: 10 },
  categories: textList,
  vulnType: nullable("string"),
  cves: textList,
  cvssV2Base: nullable("number"),
  cvssV2Vector: nullable("string"),
  cvssV3Base: nullable("number"),
  cvssV3Vector: nullable("string"),
  diagnosis: nullable("string"),
  consequence: nullable("string"),
  solution: nullable("string"),
  pci: { type: "boolean" },
  publishedDate: time,
  lastServiceModificationDate: time,
});

const STREAM_SCHEMAS: Readonly<Record<AirbyteStreamName, JsonSchema>> = {
  webapps: WEBAPP_SCHEMA,
  findings: FINDING_SCHEMA,
  definitions: DEFINITION_SCHEMA,
};

export function catalogMessage(): AirbyteMessage {
  return {
    type: "CATALOG",
    catalog: {
      streams: AIRBYTE_STREAMS.map((name) => ({
        name,
        json_schema: STREAM_SCHEMAS[name],
        supported_sync_modes: ["full_refresh", "incremental"],
        source_defined_cursor: true,
        default_cursor_field: [STREAM_REGISTRY[name].cursorField],
        source_defined_primary_key: [["uid"]],
        // The protocol asks for true on incremental streams: every page ends with a resumable STATE.
        is_resumable: true,
      })),
    },
  };
}
