/**
 * The Airbyte protocol adapter: the same three WAS streams as an Airbyte source, so a platform such as Airbyte on
 * Kubernetes runs the connector and loads any warehouse. Commands follow the protocol's CLI convention (`spec`,
 * `check --config`, `discover --config`, `read --config --catalog [--state]`) and write one protocol message per
 * line; nothing else may reach stdout, because the platform parses every line.
 *
 * The reading is the sync engine's (engine.ts): this file is its Airbyte destination (RECORDs, then a STATE that
 * covers them) and the command runner; the message types are in airbyte-protocol.ts, the config's schema and the
 * record schemas in airbyte-spec.ts, the config and catalog files in airbyte-config.ts, the platform's state in
 * airbyte-state.ts.
 */

import { readFileSync } from "node:fs";
import {
  createQualysClient,
  describeJsonSyntaxError,
  int,
  isSecretName,
  knownSecrets,
  type QualysClient,
  QualysError,
  redact,
} from "@qualys-connector/client";
import {
  type AirbyteConfig,
  type ConfiguredStream,
  clientOptionsFrom,
  parseCatalog,
  parseConfig,
} from "./airbyte-config.js";
import {
  type AirbyteCommand,
  AirbyteInputError,
  type AirbyteMessage,
  type AirbyteStreamName,
  type FailureType,
  isObject,
  type LogLevel,
  type StreamState,
  type StreamStatus,
  type SyncMode,
} from "./airbyte-protocol.js";
import { catalogMessage, specMessage } from "./airbyte-spec.js";
import {
  type DefinitionsStreamState,
  MAX_REMEMBERED_QIDS,
  type PagedStreamState,
  parseStateFile,
  readDefinitionsState,
  readPagedState,
  rememberQids,
} from "./airbyte-state.js";
import { nextCursor, readDefinitionPasses, readPasses } from "./engine.js";
import type { Stream, StreamContext } from "./stream.js";
import { findingsStream, webAppsStream } from "./streams.js";

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
  out.state(name, { cursor: nextCursor(runStart) }, sinceState);
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
 * Definitions: the QIDs the findings of this run reference plus the `qids` setting, read in full when new; on
 * incremental runs the QIDs remembered in the state are read again only when the KnowledgeBase changed them
 * since the cursor (`last_modified_after`, docs/qualys-api.md 4.6). A STATE follows each batch of QIDs.
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
  const stateAfter = (pass: number, qidsDone: number): StreamState =>
    pass === 0
      ? {
          ...oldCursor,
          qids: rememberQids(fresh.slice(0, qidsDone), known),
          pending: fresh.slice(qidsDone),
          runStart,
        }
      : { ...oldCursor, qids: rememberQids(fresh, known), pending: [], runStart };
  await readDefinitionPasses(
    ctx,
    [
      { qids: fresh, modifiedAfter: undefined },
      { qids: refresh, modifiedAfter: state.cursor },
    ],
    config.qidsPerState,
    async (records, pass, qidsDone) => {
      for (const record of records) {
        out.record("definitions", record);
        total += 1;
        sinceState += 1;
      }
      out.state("definitions", stateAfter(pass, qidsDone), sinceState);
      sinceState = 0;
    },
  );
  out.state("definitions", { cursor: nextCursor(runStart), qids: rememberQids(wanted, known) }, sinceState);
  return total;
}
