/**
 * The Airbyte protocol adapter: the same three WAS streams as an Airbyte source, so a platform such as Airbyte on
 * Kubernetes runs the connector and loads any warehouse. Commands follow the protocol's CLI convention (`spec`,
 * `check --config`, `discover --config`, `read --config --catalog [--state]`) and write one protocol message per
 * line; nothing else may reach stdout, because the platform parses every line.
 *
 * Protocol: airbytehq/airbyte-protocol, `protocol-models/src/main/resources/airbyte_protocol/v0/airbyte_protocol.yaml`
 * (the tests validate every message against it). The state is the platform's, not a database's: each stream's
 * STATE carries its cursor (the run's start minus the overlap, as in sync.ts) and, mid-stream, a checkpoint a
 * resumed attempt continues from.
 */

import { readFileSync } from "node:fs";
import {
  createQualysClient,
  DEFAULT_CONCURRENCY,
  describeJsonSyntaxError,
  int,
  isSecretName,
  knownSecrets,
  PAGE_SIZE,
  PLATFORM_IDS,
  type QualysClient,
  type QualysClientOptions,
  QualysError,
  redact,
} from "@qualys-connector/client";
import { type Checkpoint, parseCheckpoint } from "./checkpoint.js";
import { DEFAULT_OVERLAP_MS, qualysTime, readPasses } from "./engine.js";
import type { Stream, StreamContext, SyncFilters } from "./stream.js";
import { findingsStream, KB_BATCH, readDefinitions, webAppsStream } from "./streams.js";

export type AirbyteCommand = "spec" | "check" | "discover" | "read";
export const AIRBYTE_COMMANDS: readonly AirbyteCommand[] = ["spec", "check", "discover", "read"];

/** The streams, in the order a read runs them: definitions come from the findings read just before. */
export const AIRBYTE_STREAMS = ["webapps", "findings", "definitions"] as const;
export type AirbyteStreamName = (typeof AIRBYTE_STREAMS)[number];
export type SyncMode = "full_refresh" | "incremental";
export type DestinationSyncMode = "overwrite" | "append" | "append_dedup";

/** Most calls in flight the config accepts. */
const MAX_CONCURRENCY = 64;

/** QIDs per definitions STATE message: one KnowledgeBase call's worth, so each STATE follows one call. */
export const QIDS_PER_STATE = KB_BATCH;

/** QIDs a definitions state remembers at most: KB has about 200,000 QIDs, WAS findings use a few thousand. */
export const MAX_REMEMBERED_QIDS = 100_000;

// ---------------------------------------------------------------------------------------------------------------
// Messages (our typing of the protocol's AirbyteMessage, only the parts this source emits)

export type JsonSchema = { readonly [key: string]: unknown };
export type LogLevel = "FATAL" | "ERROR" | "WARN" | "INFO" | "DEBUG" | "TRACE";
export type FailureType = "system_error" | "config_error" | "transient_error";
export type StreamStatus = "STARTED" | "RUNNING" | "COMPLETE" | "INCOMPLETE";

export interface StreamDescriptor {
  name: string;
}

export interface AirbyteStream {
  name: AirbyteStreamName;
  json_schema: JsonSchema;
  supported_sync_modes: SyncMode[];
  source_defined_cursor: boolean;
  default_cursor_field: string[];
  source_defined_primary_key: string[][];
  is_resumable: boolean;
}

export interface ConnectorSpecification {
  connectionSpecification: JsonSchema;
  supportsIncremental: boolean;
  supported_destination_sync_modes: DestinationSyncMode[];
}

export type TraceMessage =
  | {
      type: "STREAM_STATUS";
      emitted_at: number;
      stream_status: { stream_descriptor: StreamDescriptor; status: StreamStatus };
    }
  | {
      type: "ERROR";
      emitted_at: number;
      error: {
        message: string;
        internal_message?: string;
        failure_type: FailureType;
        stream_descriptor?: StreamDescriptor;
      };
    };

export type StreamState = { [key: string]: unknown };

export type AirbyteMessage =
  | { type: "SPEC"; spec: ConnectorSpecification }
  | { type: "CONNECTION_STATUS"; connectionStatus: { status: "SUCCEEDED" | "FAILED"; message: string } }
  | { type: "CATALOG"; catalog: { streams: AirbyteStream[] } }
  | {
      type: "RECORD";
      record: { stream: AirbyteStreamName; data: { [key: string]: unknown }; emitted_at: number };
    }
  | {
      type: "STATE";
      state: {
        type: "STREAM";
        stream: { stream_descriptor: StreamDescriptor; stream_state: StreamState };
        /** Records emitted for this stream since its previous STATE (the platform compares it with its count). */
        sourceStats: { recordCount: number };
      };
    }
  | { type: "LOG"; log: { level: LogLevel; message: string } }
  | { type: "TRACE"; trace: TraceMessage };

// ---------------------------------------------------------------------------------------------------------------
// spec

const SEVERITY_VALUES = [1, 2, 3, 4, 5];
const FINDING_STATUSES = ["NEW", "ACTIVE", "REOPENED", "PROTECTED", "FIXED"];
/** Qualys DATE criteria take a UTC date-time, `YYYY-MM-DDTHH:MM:SSZ` (qualys-api.md 3.3), or a whole day. */
const DATE_PATTERN = "^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}:\\d{2}Z)?$";

const ID_LIST: JsonSchema = { type: "array", items: { type: "integer", minimum: 1 }, uniqueItems: true };

/** The config's fields, as the platform's connection form shows them. */
const CONFIG_PROPERTIES: { readonly [key: string]: JsonSchema } = {
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
    items: { type: "integer", enum: SEVERITY_VALUES },
    uniqueItems: true,
    order: 10,
  },
  status: {
    type: "array",
    title: "Finding statuses",
    description: "Only findings with these statuses; all when empty.",
    items: { type: "string", enum: FINDING_STATUSES },
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

const STREAM_DEFINITIONS: Readonly<Record<AirbyteStreamName, { schema: JsonSchema; cursor: string }>> = {
  webapps: { schema: WEBAPP_SCHEMA, cursor: "updatedDate" },
  findings: { schema: FINDING_SCHEMA, cursor: "lastTestedDate" },
  definitions: { schema: DEFINITION_SCHEMA, cursor: "lastServiceModificationDate" },
};

export function catalogMessage(): AirbyteMessage {
  return {
    type: "CATALOG",
    catalog: {
      streams: AIRBYTE_STREAMS.map((name) => ({
        name,
        json_schema: STREAM_DEFINITIONS[name].schema,
        supported_sync_modes: ["full_refresh", "incremental"],
        source_defined_cursor: true,
        default_cursor_field: [STREAM_DEFINITIONS[name].cursor],
        source_defined_primary_key: [["uid"]],
        // The protocol asks for true on incremental streams: every page ends with a resumable STATE.
        is_resumable: true,
      })),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// config, catalog and state files

/** Config, catalog or state the user (or the platform) must fix; each problem names its field. */
export class AirbyteInputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("; "));
    this.name = "AirbyteInputError";
  }
}

export interface AirbyteConfig {
  apiUrl: string | undefined;
  platform: string | undefined;
  username: string;
  password: string;
  /** Records per API page. */
  pageSize: number;
  /** Records of web apps and findings per STATE message (each STATE is a checkpoint): the page size. */
  recordsPerState: number;
  /** QIDs whose definitions one STATE message covers. */
  qidsPerState: number;
  concurrency: number;
  maxRetries: number;
  requestTimeoutSec: number;
  filters: SyncFilters;
  qids: number[];
  /** Keys the spec does not know: reported as a warning, because older or newer specs may add some. */
  unknownKeys: string[];
}

const CONFIG_KEYS = Object.keys(CONFIG_PROPERTIES);

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Validate a parsed config against the spec's rules; problems never quote the password. */
export function parseConfig(raw: unknown): AirbyteConfig {
  if (!isObject(raw)) throw new AirbyteInputError(["config: must be a JSON object"]);
  const problems: string[] = [];
  const text = (key: string, required: boolean): string | undefined => {
    const value = raw[key];
    if (value === undefined || value === null || value === "") {
      if (required) problems.push(`config.${key}: required`);
      return undefined;
    }
    if (typeof value !== "string") {
      problems.push(`config.${key}: must be text`);
      return undefined;
    }
    return value.trim();
  };
  const whole = (key: string, min: number, max: number, fallback: number): number => {
    const value = raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`config.${key}: must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const date = (key: string): string | undefined => {
    const value = text(key, false);
    if (value !== undefined && !new RegExp(DATE_PATTERN).test(value)) {
      problems.push(
        `config.${key}: "${value}" must be a UTC date or date-time (2026-01-01, 2026-01-01T00:00:00Z)`,
      );
      return undefined;
    }
    return value;
  };
  const list = <T>(key: string, accept: (item: unknown) => item is T, what: string): T[] => {
    const value = raw[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every(accept)) {
      problems.push(`config.${key}: must be a list of ${what}`);
      return [];
    }
    return [...new Set(value)];
  };
  const positive = (item: unknown): item is number =>
    typeof item === "number" && Number.isInteger(item) && item >= 1;

  const apiUrl = text("api_url", false);
  const platform = text("platform", false);
  if (apiUrl && platform) problems.push("config: give api_url or platform, not both");
  if (!apiUrl && !platform) problems.push("config: api_url or platform is required");
  if (apiUrl && !/^https?:\/\/[^/\s]+/.test(apiUrl)) problems.push("config.api_url: must be an http(s) URL");
  const username = text("username", true) ?? "";
  // The password is taken as given: spaces may be part of it.
  const password = raw.password;
  if (password === undefined || password === null || password === "")
    problems.push("config.password: required");
  else if (typeof password !== "string") problems.push("config.password: must be text");

  const pageSize = whole("page_size", PAGE_SIZE.min, PAGE_SIZE.max, PAGE_SIZE.default);
  const config: AirbyteConfig = {
    apiUrl,
    platform,
    username,
    password: typeof password === "string" ? password : "",
    pageSize,
    recordsPerState: pageSize,
    qidsPerState: QIDS_PER_STATE,
    concurrency: whole("concurrency", 1, MAX_CONCURRENCY, DEFAULT_CONCURRENCY),
    maxRetries: whole("max_retries", 0, 100, 5),
    requestTimeoutSec: whole("request_timeout", 0, 86_400, 120),
    filters: {
      updatedSince: date("updated_since"),
      lastDetectedSince: date("last_detected_since"),
      severity: list(
        "severity",
        (s): s is number => typeof s === "number" && SEVERITY_VALUES.includes(s),
        "severities 1 to 5",
      ),
      status: list(
        "status",
        (s): s is string => typeof s === "string" && FINDING_STATUSES.includes(s),
        FINDING_STATUSES.join(", "),
      ),
      webAppIds: list("webapp_ids", positive, "web app ids"),
    },
    qids: list("qids", positive, "QIDs"),
    unknownKeys: Object.keys(raw).filter((key) => !CONFIG_KEYS.includes(key)),
  };
  if (problems.length > 0) throw new AirbyteInputError(problems);
  return config;
}

/** Client options of a config: Basic authentication, the API server from `api_url` or `platform`. */
export function clientOptionsFrom(config: AirbyteConfig): QualysClientOptions {
  return {
    auth: { kind: "basic", username: config.username, password: config.password },
    pageSize: config.pageSize,
    concurrency: config.concurrency,
    maxRetries: config.maxRetries,
    timeoutMs: config.requestTimeoutSec * 1000,
    ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}),
    ...(config.platform ? { platform: config.platform } : {}),
  };
}

export interface ConfiguredStream {
  name: AirbyteStreamName;
  syncMode: SyncMode;
}

/** The streams a ConfiguredAirbyteCatalog selects, in read order. The cursor is the source's own, so `cursor_field` is ignored. */
export function parseCatalog(raw: unknown): ConfiguredStream[] {
  if (!isObject(raw) || !Array.isArray(raw.streams))
    throw new AirbyteInputError(["catalog: must be an object with a streams list"]);
  const problems: string[] = [];
  const modes = new Map<AirbyteStreamName, SyncMode>();
  raw.streams.forEach((entry: unknown, index) => {
    const stream = isObject(entry) && isObject(entry.stream) ? entry.stream : undefined;
    const name = stream?.name;
    const mode = isObject(entry) ? entry.sync_mode : undefined;
    const known = AIRBYTE_STREAMS.find((s) => s === name);
    if (!known) {
      problems.push(
        `catalog.streams[${index}]: unknown stream ${JSON.stringify(name ?? null)} (known: ${AIRBYTE_STREAMS.join(", ")})`,
      );
      return;
    }
    if (mode !== "full_refresh" && mode !== "incremental") {
      problems.push(`catalog.streams[${index}].sync_mode: must be full_refresh or incremental`);
      return;
    }
    modes.set(known, mode);
  });
  if (problems.length > 0) throw new AirbyteInputError(problems);
  return AIRBYTE_STREAMS.filter((name) => modes.has(name)).map((name) => ({
    name,
    syncMode: modes.get(name) ?? "full_refresh",
  }));
}

/**
 * Each stream's state blob from a state file: the platform's list of per-stream STATE messages, a single one,
 * a GLOBAL one, or a legacy object keyed by stream name. States of streams this source does not have are ignored.
 */
export function parseStateFile(raw: unknown): Map<AirbyteStreamName, StreamState> {
  const states = new Map<AirbyteStreamName, StreamState>();
  const put = (name: unknown, blob: unknown) => {
    const known = AIRBYTE_STREAMS.find((s) => s === name);
    if (known && isObject(blob)) states.set(known, blob);
  };
  const fromStreamState = (entry: unknown) => {
    if (!isObject(entry) || !isObject(entry.stream_descriptor))
      throw new AirbyteInputError(["state: a stream state needs a stream_descriptor"]);
    put(entry.stream_descriptor.name, entry.stream_state);
  };
  const fromMessage = (message: unknown) => {
    if (!isObject(message)) throw new AirbyteInputError(["state: each entry must be a state message object"]);
    if (
      message.type === "GLOBAL" &&
      isObject(message.global) &&
      Array.isArray(message.global.stream_states)
    ) {
      for (const entry of message.global.stream_states) fromStreamState(entry);
    } else if (message.type === "STREAM" || (message.type === undefined && isObject(message.stream))) {
      fromStreamState(message.stream);
    } else if (isObject(message.data)) {
      for (const [name, blob] of Object.entries(message.data)) put(name, blob);
    } else {
      throw new AirbyteInputError([
        `state: unsupported state message of type ${JSON.stringify(message.type)}`,
      ]);
    }
  };
  if (raw === null || raw === undefined) return states;
  if (Array.isArray(raw)) for (const message of raw) fromMessage(message);
  else if (isObject(raw) && ("type" in raw || "stream" in raw || "global" in raw)) fromMessage(raw);
  else if (isObject(raw)) for (const [name, blob] of Object.entries(raw)) put(name, blob);
  else throw new AirbyteInputError(["state: must be a list of state messages or an object"]);
  return states;
}

const QUALYS_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?Z)?$/;

export type PagedStreamState = { cursor?: string; checkpoint?: Checkpoint };

export type DefinitionsStreamState = {
  cursor?: string;
  /** QIDs already read: the next incremental run asks only for those modified since the cursor. */
  qids?: number[];
  /** Mid-run: QIDs still to read in full, and the interrupted attempt's start. */
  pending?: number[];
  runStart?: number;
};

function cursorOf(stream: string, blob: StreamState): string | undefined {
  const cursor = blob.cursor;
  if (cursor === undefined || cursor === null) return undefined;
  if (typeof cursor !== "string" || !QUALYS_TIME.test(cursor))
    throw new AirbyteInputError([
      `state of ${stream}: cursor must be a UTC date-time like 2026-01-01T00:00:00Z`,
    ]);
  return cursor;
}

function qidList(stream: string, key: string, value: unknown): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((q) => typeof q === "number" && Number.isInteger(q) && q > 0))
    throw new AirbyteInputError([`state of ${stream}: ${key} must be a list of QIDs`]);
  return value;
}

export function readPagedState(stream: string, blob: StreamState | undefined): PagedStreamState {
  if (!blob) return {};
  const cursor = cursorOf(stream, blob);
  const { checkpoint, problem } = parseCheckpoint(blob.checkpoint);
  if (problem) throw new AirbyteInputError([`state of ${stream}: ${problem}`]);
  return { ...(cursor ? { cursor } : {}), ...(checkpoint ? { checkpoint } : {}) };
}

export function readDefinitionsState(blob: StreamState | undefined): DefinitionsStreamState {
  if (!blob) return {};
  const cursor = cursorOf("definitions", blob);
  const qids = qidList("definitions", "qids", blob.qids);
  const pending = qidList("definitions", "pending", blob.pending);
  const runStart = typeof blob.runStart === "number" ? blob.runStart : undefined;
  return {
    ...(cursor ? { cursor } : {}),
    ...(qids ? { qids } : {}),
    ...(pending ? { pending } : {}),
    ...(runStart !== undefined ? { runStart } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// running the commands

export interface AirbyteIo {
  /** One protocol message, serialized, without the newline. */
  write(line: string): void;
  /** Milliseconds since the epoch (emitted_at, run starts). */
  now(): number;
}

export interface AirbyteFiles {
  config?: string | undefined;
  catalog?: string | undefined;
  state?: string | undefined;
}

/** `failed`: a TRACE ERROR said why; the CLI exits with its error code. */
export type AirbyteOutcome = "succeeded" | "failed";

/** Writes messages; texts meant for people (LOG, TRACE, CONNECTION_STATUS) are scrubbed of known secrets first. */
class Emitter {
  readonly secrets: string[] = [];
  private readonly running = new Set<AirbyteStreamName>();
  constructor(private readonly io: AirbyteIo) {}

  /** A RECORD; the stream's first one is preceded by its RUNNING status, as the protocol describes RUNNING. */
  record(stream: AirbyteStreamName, record: object): void {
    if (!this.running.has(stream)) {
      this.running.add(stream);
      this.status(stream, "RUNNING");
    }
    this.send({ type: "RECORD", record: { stream, data: recordData(record), emitted_at: this.now() } });
  }

  now(): number {
    return this.io.now();
  }

  send(message: AirbyteMessage): void {
    this.io.write(JSON.stringify(message));
  }

  /** The session id or token a client learns later is added by `useClient`. */
  scrub(text: string): string {
    return redact(text, [...this.secrets, ...(this.client?.secrets() ?? [])]);
  }

  private client: QualysClient | undefined;
  useClient(client: QualysClient): void {
    this.client = client;
  }

  log(level: LogLevel, message: string): void {
    this.send({ type: "LOG", log: { level, message: this.scrub(message) } });
  }

  status(stream: AirbyteStreamName, status: StreamStatus): void {
    this.send({
      type: "TRACE",
      trace: {
        type: "STREAM_STATUS",
        emitted_at: this.now(),
        stream_status: { stream_descriptor: { name: stream }, status },
      },
    });
  }

  error(failure: Failure, stream?: AirbyteStreamName): void {
    this.send({
      type: "TRACE",
      trace: {
        type: "ERROR",
        emitted_at: this.now(),
        error: {
          message: this.scrub(failure.message),
          failure_type: failure.type,
          ...(failure.internal ? { internal_message: this.scrub(failure.internal) } : {}),
          ...(stream ? { stream_descriptor: { name: stream } } : {}),
        },
      },
    });
  }

  state(stream: AirbyteStreamName, state: StreamState, recordCount: number): void {
    this.send({
      type: "STATE",
      state: {
        type: "STREAM",
        stream: { stream_descriptor: { name: stream }, stream_state: state },
        sourceStats: { recordCount },
      },
    });
  }
}

interface Failure {
  type: FailureType;
  message: string;
  internal?: string;
}

/** What went wrong, for the platform: user-fixable (config), worth a retry (transient), or ours (system). */
function failureOf(error: unknown): Failure {
  if (error instanceof AirbyteInputError)
    return { type: "config_error", message: `Invalid input: ${error.problems.join("; ")}` };
  if (error instanceof QualysError) {
    switch (error.kind) {
      case "auth":
      case "config":
        return { type: "config_error", message: error.message };
      case "rate-limit":
      case "timeout":
      case "network":
        return { type: "transient_error", message: error.message };
      case "http":
        return { type: error.retryable ? "transient_error" : "system_error", message: error.message };
      default:
        return { type: "system_error", message: error.message };
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    type: "system_error",
    message: `Unexpected error: ${message}`,
    ...(error instanceof Error && error.stack ? { internal: error.stack } : {}),
  };
}

/**
 * Read a JSON file. A parse error says where, never what: V8's messages quote the text around the error, and a
 * config file holds the password.
 */
function readJsonFile(flag: string, path: string): unknown {
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AirbyteInputError([`${flag}: cannot read "${path}"${code ? ` (${code})` : ""}`]);
  }
  try {
    return raw.trim() === "" ? null : JSON.parse(raw);
  } catch {
    throw new AirbyteInputError([`${flag}: "${path}" is not valid JSON ${describeJsonSyntaxError(raw)}`]);
  }
}

function requireFile(flag: string, path: string | undefined): string {
  if (!path) throw new AirbyteInputError([`${flag} <file> is required`]);
  return path;
}

/**
 * Run one Airbyte command, writing protocol messages through `io`. Bad input is a TRACE ERROR of type
 * config_error and the outcome `failed`; `check` reports refused credentials and invalid settings as a FAILED
 * CONNECTION_STATUS instead (the platform shows that message to the user), with the outcome `succeeded` as the
 * protocol expects.
 */
export async function runAirbyte(
  command: AirbyteCommand,
  files: AirbyteFiles,
  io: AirbyteIo,
): Promise<AirbyteOutcome> {
  const out = new Emitter(io);
  if (command === "spec") {
    out.send(specMessage());
    return "succeeded";
  }
  let config: AirbyteConfig;
  try {
    const raw = readJsonFile("--config", requireFile("--config", files.config));
    // Known before validation, so not even a problem message can carry them.
    if (isObject(raw))
      for (const [key, value] of Object.entries(raw))
        if (isSecretName(key) && typeof value === "string" && value !== "") out.secrets.push(value);
    try {
      config = parseConfig(raw);
    } catch (error) {
      if (command !== "check") throw error;
      out.send({
        type: "CONNECTION_STATUS",
        connectionStatus: { status: "FAILED", message: out.scrub(failureOf(error).message) },
      });
      return "succeeded";
    }
  } catch (error) {
    out.error(failureOf(error));
    return "failed";
  }
  if (config.unknownKeys.length > 0)
    out.log("WARN", `config: ignoring unknown settings ${config.unknownKeys.join(", ")}`);

  if (command === "discover") {
    out.send(catalogMessage());
    return "succeeded";
  }

  let streams: ConfiguredStream[] = [];
  let states = new Map<AirbyteStreamName, StreamState>();
  let client: QualysClient;
  try {
    if (command === "read") {
      streams = parseCatalog(readJsonFile("--catalog", requireFile("--catalog", files.catalog)));
      if (files.state) states = parseStateFile(readJsonFile("--state", files.state));
    }
    const options = clientOptionsFrom(config);
    // The base64 of user:password travels in every Basic header; an echo of it must not reach a TRACE either.
    out.secrets.push(...knownSecrets(options));
    client = createQualysClient(options);
  } catch (error) {
    if (command === "check") {
      out.send({
        type: "CONNECTION_STATUS",
        connectionStatus: { status: "FAILED", message: out.scrub(failureOf(error).message) },
      });
      return "succeeded";
    }
    out.error(failureOf(error));
    return "failed";
  }
  out.useClient(client);
  try {
    if (command === "check") {
      out.send(await checkConnection(client, config, out));
      return "succeeded";
    }
    return (await readStreams(client, config, streams, states, out)) ? "succeeded" : "failed";
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** `check`: the credentials (portal version) and WAS access (a one-record web app search). */
async function checkConnection(
  client: QualysClient,
  config: AirbyteConfig,
  out: Emitter,
): Promise<AirbyteMessage> {
  const server = client.endpoints.api;
  const failed = (message: string): AirbyteMessage => ({
    type: "CONNECTION_STATUS",
    connectionStatus: { status: "FAILED", message: out.scrub(message) },
  });
  try {
    await client.portal.version();
  } catch (error) {
    if (error instanceof QualysError && error.kind === "auth")
      return failed(
        `Qualys at ${server} refused the credentials of user "${config.username}": check the username and password; a new user must log in to the Qualys UI once, and the account needs API access (${error.message})`,
      );
    return failed(
      `Cannot reach the Qualys API at ${server}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    const search = client.was.webApps.search({ pageSize: 1 });
    await search.next();
    await search.return(undefined);
  } catch (error) {
    return failed(
      `The credentials work, but the WAS API refused the web app search of user "${config.username}": ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return {
    type: "CONNECTION_STATUS",
    connectionStatus: { status: "SUCCEEDED", message: `Connected to ${server} as "${config.username}"` },
  };
}

interface ReadRun {
  client: QualysClient;
  config: AirbyteConfig;
  out: Emitter;
  /** QIDs of the findings emitted in this run; undefined when the catalog does not select findings. */
  findingQids: Set<number> | undefined;
}

function contextOf(run: ReadRun, since: string | undefined): StreamContext {
  return {
    client: run.client,
    filters: run.config.filters,
    since,
    pageSize: run.config.pageSize,
  };
}

/** Every stream in order; a failing stream is reported and the next one still runs. Returns true when all completed. */
async function readStreams(
  client: QualysClient,
  config: AirbyteConfig,
  streams: readonly ConfiguredStream[],
  states: ReadonlyMap<AirbyteStreamName, StreamState>,
  out: Emitter,
): Promise<boolean> {
  const run: ReadRun = {
    client,
    config,
    out,
    findingQids: streams.some((s) => s.name === "findings") ? new Set() : undefined,
  };
  let allCompleted = true;
  for (const { name, syncMode } of streams) {
    out.status(name, "STARTED");
    const started = out.now();
    const calls0 = client.stats.requests;
    // full_refresh reads everything and ignores whatever state the platform passes.
    const blob = syncMode === "incremental" ? states.get(name) : undefined;
    try {
      const records =
        name === "definitions"
          ? await readDefinitionsStream(run, syncMode, readDefinitionsState(blob))
          : name === "webapps"
            ? await readPagedStream(run, name, webAppsStream, syncMode, readPagedState(name, blob), () => {})
            : await readPagedStream(run, name, findingsStream, syncMode, readPagedState(name, blob), (f) =>
                run.findingQids?.add(f.qid),
              );
      out.log(
        "INFO",
        `${name}: ${records} records in ${Math.round((out.now() - started) / 1000)} s, ${client.stats.requests - calls0} API calls`,
      );
      out.status(name, "COMPLETE");
    } catch (error) {
      allCompleted = false;
      out.error(failureOf(error), name);
      out.status(name, "INCOMPLETE");
    }
  }
  return allCompleted;
}

/** A RECORD's data: every field present, JSON's null where the record has none. */
function recordData(record: object): { [key: string]: unknown } {
  const withNulls = (value: unknown): unknown => {
    if (value === undefined) return null;
    if (Array.isArray(value)) return value.map(withNulls);
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withNulls(v)]));
    return value;
  };
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, withNulls(value)]));
}

/**
 * Web apps or findings, read by the engine (partitioned groups read in parallel, as the store sync does), with
 * the RECORDs of each batch followed by a STATE whose checkpoint covers them; a final STATE whose cursor is the
 * run's start minus the overlap. Batches arrive in group order, so the records come in the order a sequential
 * read gives and a STATE means every record before it is complete.
 */
async function readPagedStream<R extends { id: number }>(
  run: ReadRun,
  name: "webapps" | "findings",
  stream: Stream<R>,
  mode: SyncMode,
  state: PagedStreamState,
  onRecord: (record: R) => void,
): Promise<number> {
  const { out } = run;
  const resume = mode === "incremental" ? state.checkpoint : undefined;
  const since = mode === "full_refresh" ? undefined : resume ? (resume.since ?? undefined) : state.cursor;
  const runStart = resume?.runStart ?? out.now();
  const ctx = contextOf(run, since);
  // Findings' incremental passes overlap (a finding tested and ignored since the cursor): emit each once a run.
  const seen = stream.passes(ctx).length > 1 ? new Set<number>() : undefined;
  const oldCursor = mode === "incremental" && state.cursor ? { cursor: state.cursor } : {};
  out.log(
    "INFO",
    `${name}: ${mode === "incremental" && since ? `records changed since ${since}` : "all records"}${resume ? `, resuming pass "${resume.pass}" after id ${resume.afterId}` : ""}`,
  );
  let total = 0;
  let sinceState = 0;
  await readPasses({
    stream,
    ctx,
    runStart,
    resume,
    concurrency: run.config.concurrency,
    commitBatch: run.config.recordsPerState,
    destination: {
      ordered: true,
      commit: async (records, checkpoint) => {
        for (const record of records) {
          if (seen?.has(record.id)) continue;
          seen?.add(record.id);
          onRecord(record);
          out.record(name, record);
          total += 1;
          sinceState += 1;
        }
        // An empty batch (a group that ended on a batch boundary, or had nothing) needs no STATE of its own:
        // the next one carries its progress.
        if (records.length === 0) return;
        out.state(name, { ...oldCursor, checkpoint }, sinceState);
        sinceState = 0;
        out.log("INFO", `${name}: ${total} records so far`);
      },
    },
  });
  out.state(name, { cursor: qualysTime(runStart - DEFAULT_OVERLAP_MS) }, sinceState);
  return total;
}

/** The QIDs of the findings matching the filters (since the cursor), for a catalog that selects definitions alone. */
async function findingQidsOf(run: ReadRun, since: string | undefined): Promise<Set<number>> {
  const ctx = contextOf(run, since);
  const qids = new Set<number>();
  for (const pass of findingsStream.passes(ctx)) {
    for await (const node of run.client.was.findings.search({
      criteria: pass.criteria,
      pageSize: ctx.pageSize,
    })) {
      const qid = int(node.qid);
      if (qid !== undefined) qids.add(qid);
    }
  }
  return qids;
}

/**
 * The QIDs a definitions state keeps: this run's first, then older ones, at most MAX_REMEMBERED_QIDS (a QID
 * dropped is read in full again when a finding references it, and misses KB updates until then).
 */
function rememberQids(recent: Iterable<number>, older: Iterable<number>): number[] {
  const all = new Set([...recent, ...older]);
  return [...all].slice(0, MAX_REMEMBERED_QIDS).sort((a, b) => a - b);
}

/**
 * Definitions: the QIDs the findings of this run reference plus the `qids` setting, read in full when new; on
 * incremental runs the QIDs remembered in the state are read again only when the KnowledgeBase changed them
 * since the cursor (`last_modified_after`, qualys-api.md 4.6). A STATE follows each page of QIDs.
 */
async function readDefinitionsStream(
  run: ReadRun,
  mode: SyncMode,
  state: DefinitionsStreamState,
): Promise<number> {
  const { out, config } = run;
  const incremental = mode === "incremental";
  const runStart = (incremental && state.pending ? state.runStart : undefined) ?? out.now();
  const known = incremental ? (state.qids ?? []) : [];
  const knownSet = new Set(known);
  const referenced = run.findingQids ?? (await findingQidsOf(run, incremental ? state.cursor : undefined));
  const wanted = [...new Set([...(incremental ? (state.pending ?? []) : []), ...referenced, ...config.qids])];
  const fresh = wanted.filter((qid) => !knownSet.has(qid));
  const refresh = incremental && state.cursor ? known : [];
  if (knownSet.size + fresh.length > MAX_REMEMBERED_QIDS)
    out.log(
      "WARN",
      `definitions: remembering only ${MAX_REMEMBERED_QIDS} QIDs; older ones are read again when referenced`,
    );
  out.log(
    "INFO",
    `definitions: ${fresh.length} new QIDs${refresh.length > 0 ? `, ${refresh.length} known ones modified since ${state.cursor}` : ""}`,
  );
  const oldCursor = incremental && state.cursor ? { cursor: state.cursor } : {};
  const ctx = contextOf(run, undefined);
  let total = 0;
  let sinceState = 0;
  const readPages = async (
    qids: readonly number[],
    modifiedAfter: string | undefined,
    stateAfter: (end: number) => StreamState,
  ) => {
    for (let start = 0; start < qids.length; start += config.qidsPerState) {
      const page = qids.slice(start, start + config.qidsPerState);
      for await (const batch of readDefinitions(ctx, page, modifiedAfter)) {
        for (const record of batch) {
          out.record("definitions", record);
          total += 1;
          sinceState += 1;
        }
      }
      out.state("definitions", stateAfter(start + page.length), sinceState);
      sinceState = 0;
    }
  };
  await readPages(fresh, undefined, (end) => ({
    ...oldCursor,
    qids: rememberQids(fresh.slice(0, end), known),
    pending: fresh.slice(end),
    runStart,
  }));
  await readPages(refresh, state.cursor, () => ({
    ...oldCursor,
    qids: rememberQids(fresh, known),
    pending: [],
    runStart,
  }));
  out.state(
    "definitions",
    { cursor: qualysTime(runStart - DEFAULT_OVERLAP_MS), qids: rememberQids(wanted, known) },
    sinceState,
  );
  return total;
}
