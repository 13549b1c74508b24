/** The config and catalog files of `check`, `discover` and `read`: validated against the spec's rules. */

import type { QualysClientOptions } from "@qualys-connector/client";
import { DEFAULT_CONCURRENCY, PAGE_SIZE } from "@qualys-connector/client";
import { FINDING_STATUSES, isSeverity } from "@qualys-connector/model";
import {
  AIRBYTE_STREAMS,
  AirbyteInputError,
  type AirbyteStreamName,
  isObject,
  type SyncMode,
} from "./airbyte-protocol.js";
import { CONFIG_PROPERTIES, DATE_PATTERN, MAX_CONCURRENCY } from "./airbyte-spec.js";
import type { SyncFilters } from "./stream.js";
import { KB_BATCH } from "./streams.js";

/** QIDs per definitions STATE message: one KnowledgeBase call's worth, so each STATE follows one call. */
export const QIDS_PER_STATE = KB_BATCH;

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
        (s): s is number => typeof s === "number" && isSeverity(s),
        "severities 1 to 5",
      ),
      status: list(
        "status",
        (s): s is string => typeof s === "string" && (FINDING_STATUSES as readonly string[]).includes(s),
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
