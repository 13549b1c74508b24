/**
 * The Airbyte source against the simulator: spec, check, discover and read (full refresh, incremental, resumed),
 * every message validated against the protocol's own JSON Schema (airbyte_protocol.yaml, read in place from
 * ../shared/schemas; the schema tests skip when it is absent) and every record against its stream's schema.
 */

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { Ajv, type SchemaObject, type ValidateFunction } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  type AirbyteCommand,
  type AirbyteFiles,
  type AirbyteMessage,
  type AirbyteOutcome,
  type AirbyteStreamName,
  runAirbyte,
} from "../src/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const PROTOCOL_YAML = path.join(root, "..", "shared", "schemas", "airbyte_protocol.yaml");
const HAS_PROTOCOL = existsSync(PROTOCOL_YAML);
const NO_PROTOCOL = `airbyte_protocol.yaml not found at ${PROTOCOL_YAML}: protocol schema checks skipped`;
const BAD_PASSWORD = 'Wr0ng:"pässwörd"';

/** Ajv checks no formats by itself; these make the protocol's `uri` and our `date-time` fields count. */
function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat("uri", (text: string) => URL.canParse(text));
  ajv.addFormat("date-time", (text: string) =>
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(text),
  );
  return ajv;
}

/** Validators for definitions of the protocol document, which is added whole and referenced by its $id. */
function protocolValidators(): { message: ValidateFunction; configuredCatalog: ValidateFunction } {
  const doc: SchemaObject = parseYaml(readFileSync(PROTOCOL_YAML, "utf8"));
  const id = doc.$id;
  if (typeof id !== "string") throw new Error("airbyte_protocol.yaml has no $id");
  const ajv = newAjv();
  ajv.addSchema(doc);
  return {
    message: ajv.compile({ $ref: `${id}#/definitions/AirbyteMessage` }),
    configuredCatalog: ajv.compile({ $ref: `${id}#/definitions/ConfiguredAirbyteCatalog` }),
  };
}

interface Output {
  outcome: AirbyteOutcome;
  lines: string[];
  messages: AirbyteMessage[];
}

const dir = mkdtempSync(path.join(tmpdir(), "airbyte-test-"));
let fileCount = 0;
function jsonFile(value: unknown): string {
  fileCount += 1;
  const file = path.join(dir, `file-${fileCount}.json`);
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
}

async function run(command: AirbyteCommand, files: AirbyteFiles = {}): Promise<Output> {
  const lines: string[] = [];
  const outcome = await runAirbyte(command, files, { write: (line) => lines.push(line), now: Date.now });
  // The protocol's own schema checks the shape in the tests that have it; here each line must at least parse.
  const messages = lines.map((line) => JSON.parse(line) as AirbyteMessage);
  return { outcome, lines, messages };
}

function configOf(sim: RunningSimulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { api_url: sim.url, username: "sim_user", password: "sim-password", page_size: 25, ...extra };
}

function catalogOf(
  streams: readonly AirbyteStreamName[],
  mode: "full_refresh" | "incremental",
): Record<string, unknown> {
  return {
    streams: streams.map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ["full_refresh", "incremental"] },
      sync_mode: mode,
      destination_sync_mode: mode === "incremental" ? "append_dedup" : "overwrite",
    })),
  };
}

type RecordOf = Extract<AirbyteMessage, { type: "RECORD" }>["record"];
type StateOf = Extract<AirbyteMessage, { type: "STATE" }>["state"];

const recordsOf = (out: Output, stream: AirbyteStreamName): RecordOf[] =>
  out.messages.flatMap((m) => (m.type === "RECORD" && m.record.stream === stream ? [m.record] : []));
const statesOf = (out: Output, stream: AirbyteStreamName): StateOf[] =>
  out.messages.flatMap((m) =>
    m.type === "STATE" && m.state.stream.stream_descriptor.name === stream ? [m.state] : [],
  );
const statusesOf = (out: Output, stream: AirbyteStreamName): string[] =>
  out.messages.flatMap((m) =>
    m.type === "TRACE" &&
    m.trace.type === "STREAM_STATUS" &&
    m.trace.stream_status.stream_descriptor.name === stream
      ? [m.trace.stream_status.status]
      : [],
  );
/** The last STATE of each stream, as the platform would pass it to the next read. */
const finalStates = (out: Output): unknown[] =>
  (["webapps", "findings", "definitions"] as const).flatMap((name) => {
    const last = statesOf(out, name).at(-1);
    return last ? [{ type: "STREAM", stream: last.stream }] : [];
  });
const numberField = (record: RecordOf, field: string): number => {
  const value = record.data[field];
  if (typeof value !== "number") throw new Error(`${record.stream} record without a numeric ${field}`);
  return value;
};

async function groundTruth<T>(sim: RunningSimulator, object: "webapps" | "findings"): Promise<T[]> {
  const response = await fetch(`${sim.url}/__sim/ground-truth/${object}`);
  return (await response.json()) as T[];
}

describe("airbyte source", () => {
  let sim: RunningSimulator;
  let fullRefresh: Output;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, webapps: 5, findingsPerWebapp: 20 });
    fullRefresh = await run("read", {
      config: jsonFile(configOf(sim)),
      catalog: jsonFile(catalogOf(["webapps", "findings", "definitions"], "full_refresh")),
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("spec: the config schema with a secret password, incremental support and the destination modes", async () => {
    const out = await run("spec");
    expect(out.outcome).toBe("succeeded");
    expect(out.messages).toHaveLength(1);
    const [message] = out.messages;
    if (message?.type !== "SPEC") throw new Error("expected SPEC");
    expect(message.spec.supportsIncremental).toBe(true);
    expect(message.spec.supported_destination_sync_modes).toEqual(["overwrite", "append", "append_dedup"]);
    const schema = message.spec.connectionSpecification;
    expect(schema).toMatchObject({
      required: ["username", "password"],
      properties: {
        password: { type: "string", airbyte_secret: true },
        page_size: { default: 100, maximum: 1000 },
        concurrency: { default: 2 },
        max_retries: { default: 5 },
        request_timeout: { default: 120 },
        severity: { type: "array" },
        status: { type: "array" },
        webapp_ids: { type: "array" },
        qids: { type: "array" },
      },
    });
    // The config schema is a working JSON Schema: it accepts our test config and refuses a page size of 5000.
    const validateConfig = newAjv().compile(schema);
    expect(validateConfig(configOf(sim, { severity: [4, 5], status: ["NEW"] }))).toBe(true);
    expect(validateConfig(configOf(sim, { page_size: 5000 }))).toBe(false);
  });

  it("check: SUCCEEDED with the right password", async () => {
    const out = await run("check", { config: jsonFile(configOf(sim)) });
    expect(out.outcome).toBe("succeeded");
    expect(out.messages).toEqual([
      { type: "CONNECTION_STATUS", connectionStatus: { status: "SUCCEEDED", message: expect.any(String) } },
    ]);
  });

  it("check: FAILED with a wrong password, which appears nowhere in the output", async () => {
    const out = await run("check", { config: jsonFile(configOf(sim, { password: BAD_PASSWORD })) });
    expect(out.outcome).toBe("succeeded");
    const status = out.messages.find((m) => m.type === "CONNECTION_STATUS");
    if (status?.type !== "CONNECTION_STATUS") throw new Error("expected CONNECTION_STATUS");
    expect(status.connectionStatus.status).toBe("FAILED");
    expect(status.connectionStatus.message).toMatch(/refused the credentials of user "sim_user"/);
    const text = out.lines.join("\n");
    for (const secret of [BAD_PASSWORD, JSON.stringify(BAD_PASSWORD).slice(1, -1), "pässwörd"])
      expect(text).not.toContain(secret);
  });

  it("check: settings that cannot work are a FAILED status naming them", async () => {
    const out = await run("check", { config: jsonFile(configOf(sim, { platform: "US1", page_size: 0 })) });
    expect(out.outcome).toBe("succeeded");
    const status = out.messages[0];
    if (status?.type !== "CONNECTION_STATUS") throw new Error("expected CONNECTION_STATUS");
    expect(status.connectionStatus.status).toBe("FAILED");
    expect(status.connectionStatus.message).toContain("api_url or platform, not both");
    expect(status.connectionStatus.message).toContain("config.page_size");
  });

  it("a config file that is not JSON is a config_error TRACE, without quoting the file", async () => {
    const config = jsonFile(
      `{"api_url": "${sim.url}", "password": "${BAD_PASSWORD.replaceAll('"', "")}" oops}`,
    );
    for (const command of ["check", "discover", "read"] as const) {
      const out = await run(command, { config, catalog: config });
      expect(out.outcome).toBe("failed");
      expect(out.messages).toHaveLength(1);
      const [trace] = out.messages;
      if (trace?.type !== "TRACE" || trace.trace.type !== "ERROR") throw new Error("expected TRACE ERROR");
      expect(trace.trace.error.failure_type).toBe("config_error");
      expect(trace.trace.error.message).toMatch(/is not valid JSON/);
      expect(out.lines.join("\n")).not.toContain("pässwörd");
    }
  });

  it("read: a missing catalog or an unknown stream is a config_error", async () => {
    const config = jsonFile(configOf(sim));
    const missing = await run("read", { config });
    const unknown = await run("read", {
      config,
      catalog: jsonFile({ streams: [{ stream: { name: "hosts" }, sync_mode: "full_refresh" }] }),
    });
    for (const [out, text] of [
      [missing, "--catalog <file> is required"],
      [unknown, 'unknown stream "hosts"'],
    ] as const) {
      expect(out.outcome).toBe("failed");
      const [trace] = out.messages;
      if (trace?.type !== "TRACE" || trace.trace.type !== "ERROR") throw new Error("expected TRACE ERROR");
      expect(trace.trace.error).toMatchObject({ failure_type: "config_error" });
      expect(trace.trace.error.message).toContain(text);
    }
  });

  it("discover: three streams with their cursors, key and sync modes", async () => {
    const out = await run("discover", { config: jsonFile(configOf(sim)) });
    expect(out.outcome).toBe("succeeded");
    const [message] = out.messages;
    if (message?.type !== "CATALOG") throw new Error("expected CATALOG");
    expect(
      message.catalog.streams.map((s) => ({
        name: s.name,
        cursor: s.default_cursor_field,
        key: s.source_defined_primary_key,
        modes: s.supported_sync_modes,
        sourceCursor: s.source_defined_cursor,
      })),
    ).toEqual([
      {
        name: "webapps",
        cursor: ["updatedDate"],
        key: [["uid"]],
        modes: ["full_refresh", "incremental"],
        sourceCursor: true,
      },
      {
        name: "findings",
        cursor: ["lastTestedDate"],
        key: [["uid"]],
        modes: ["full_refresh", "incremental"],
        sourceCursor: true,
      },
      {
        name: "definitions",
        cursor: ["lastServiceModificationDate"],
        key: [["uid"]],
        modes: ["full_refresh", "incremental"],
        sourceCursor: true,
      },
    ]);
  });

  it("read full refresh: every web app and finding, and a definition for each QID they reference", async () => {
    expect(fullRefresh.outcome).toBe("succeeded");
    const webApps = await groundTruth<{ id: number }>(sim, "webapps");
    const findings = await groundTruth<{ id: number; qid: number }>(sim, "findings");
    const emittedWebApps = recordsOf(fullRefresh, "webapps");
    const emittedFindings = recordsOf(fullRefresh, "findings");
    expect(emittedWebApps).toHaveLength(webApps.length);
    expect(emittedFindings).toHaveLength(findings.length);
    expect(new Set(emittedFindings.map((r) => numberField(r, "id")))).toEqual(
      new Set(findings.map((f) => f.id)),
    );
    const definitionQids = new Set(recordsOf(fullRefresh, "definitions").map((r) => numberField(r, "qid")));
    for (const finding of findings) expect(definitionQids).toContain(finding.qid);
    for (const stream of ["webapps", "findings", "definitions"] as const)
      expect(statusesOf(fullRefresh, stream)).toEqual(["STARTED", "RUNNING", "COMPLETE"]);
    expect(fullRefresh.messages.some((m) => m.type === "LOG" && m.log.level === "INFO")).toBe(true);
  });

  it("read: every record matches its stream's schema from discover", async () => {
    const catalog = (await run("discover", { config: jsonFile(configOf(sim)) })).messages[0];
    if (catalog?.type !== "CATALOG") throw new Error("expected CATALOG");
    const ajv = newAjv();
    for (const stream of catalog.catalog.streams) {
      const validate = ajv.compile(stream.json_schema);
      const records = recordsOf(fullRefresh, stream.name);
      expect(records.length).toBeGreaterThan(0);
      for (const record of records) {
        const valid = validate(record.data);
        expect(validate.errors ?? [], `${stream.name} ${JSON.stringify(record.data).slice(0, 200)}`).toEqual(
          [],
        );
        expect(valid).toBe(true);
      }
    }
  });

  it("read: each STATE comes after the records it covers and counts them", () => {
    for (const stream of ["webapps", "findings", "definitions"] as const) {
      let emitted = 0;
      let counted = 0;
      let lastIndex = -1;
      fullRefresh.messages.forEach((m, index) => {
        if (m.type === "RECORD" && m.record.stream === stream) {
          emitted += 1;
          lastIndex = index;
        }
        if (m.type === "STATE" && m.state.stream.stream_descriptor.name === stream) {
          counted += m.state.sourceStats.recordCount;
          // Everything emitted so far is covered, nothing later.
          expect(counted).toBe(emitted);
          const checkpoint = m.state.stream.stream_state.checkpoint;
          if (stream !== "definitions" && typeof checkpoint === "object" && checkpoint !== null) {
            const afterId = (checkpoint as { afterId: number }).afterId;
            const before = recordsOf(
              { ...fullRefresh, messages: fullRefresh.messages.slice(0, index) },
              stream,
            );
            const after = recordsOf({ ...fullRefresh, messages: fullRefresh.messages.slice(index) }, stream);
            expect(Math.max(...before.map((r) => numberField(r, "id")))).toBe(afterId);
            for (const record of after) expect(numberField(record, "id")).toBeGreaterThan(afterId);
          }
        }
      });
      const states = statesOf(fullRefresh, stream);
      // Several pages of 25: checkpoints between them, and the final state after the last record.
      if (stream === "findings") expect(states.length).toBeGreaterThan(2);
      const finalIndex = fullRefresh.messages.findLastIndex(
        (m) => m.type === "STATE" && m.state.stream.stream_descriptor.name === stream,
      );
      expect(finalIndex).toBeGreaterThan(lastIndex);
      expect(states.at(-1)?.stream.stream_state).toMatchObject({ cursor: expect.stringMatching(/Z$/) });
    }
  });

  it("read: findings are read by groups of web apps in parallel, yet each STATE covers everything before it", async () => {
    const webApps = await groundTruth<{ id: number }>(sim, "webapps");
    const checkpoints = statesOf(fullRefresh, "findings").flatMap((s) => {
      const checkpoint = s.stream.stream_state.checkpoint;
      return typeof checkpoint === "object" && checkpoint !== null
        ? [checkpoint as { groups?: number[][]; groupsDone?: number[] }]
        : [];
    });
    expect(checkpoints.length).toBeGreaterThan(1);
    for (const checkpoint of checkpoints) {
      // The groups of web app ids split the findings search (webApp.id IN group), as the store sync does.
      expect(checkpoint.groups?.length).toBeGreaterThan(1);
      expect(checkpoint.groups?.flat().sort((a, b) => a - b)).toEqual(
        webApps.map((w) => w.id).sort((a, b) => a - b),
      );
    }
    // Groups are completed in order: a STATE never counts a later group done before an earlier one.
    for (const { groupsDone = [] } of checkpoints)
      expect(groupsDone).toEqual(Array.from({ length: groupsDone.length }, (_, i) => i));
    // With one call at a time the same stream is one sequential search.
    const sequential = await run("read", {
      config: jsonFile(configOf(sim, { concurrency: 1 })),
      catalog: jsonFile(catalogOf(["findings"], "full_refresh")),
    });
    const first = statesOf(sequential, "findings")[0]?.stream.stream_state.checkpoint as { groups?: unknown };
    expect(first.groups).toBeUndefined();
    expect(recordsOf(sequential, "findings").map((r) => numberField(r, "id"))).toEqual(
      recordsOf(fullRefresh, "findings").map((r) => numberField(r, "id")),
    );
  });

  it.skipIf(!HAS_PROTOCOL)(
    HAS_PROTOCOL ? "every message is a valid AirbyteMessage" : NO_PROTOCOL,
    async () => {
      const { message, configuredCatalog } = protocolValidators();
      // Not vacuous: the schema refuses a RECORD without emitted_at and an unknown message type.
      expect(message({ type: "RECORD", record: { stream: "webapps", data: {} } })).toBe(false);
      expect(message({ type: "HELLO" })).toBe(false);
      expect(configuredCatalog(catalogOf(["webapps", "findings", "definitions"], "incremental"))).toBe(true);
      const outputs = [
        fullRefresh,
        await run("spec"),
        await run("check", { config: jsonFile(configOf(sim)) }),
        await run("check", { config: jsonFile(configOf(sim, { password: BAD_PASSWORD })) }),
        await run("discover", { config: jsonFile(configOf(sim)) }),
        await run("read", { config: jsonFile("not json") }),
      ];
      const types = new Set<string>();
      for (const out of outputs) {
        for (const [index, parsed] of out.messages.entries()) {
          types.add(parsed.type);
          const valid = message(parsed);
          expect(message.errors ?? [], out.lines[index]?.slice(0, 300)).toEqual([]);
          expect(valid).toBe(true);
        }
      }
      expect([...types].sort()).toEqual([
        "CATALOG",
        "CONNECTION_STATUS",
        "LOG",
        "RECORD",
        "SPEC",
        "STATE",
        "TRACE",
      ]);
    },
  );
});

describe("airbyte source: incremental reads", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, webapps: 5, findingsPerWebapp: 20 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("reads again only what changed since the emitted state", async () => {
    const config = jsonFile(configOf(sim));
    const catalog = jsonFile(catalogOf(["webapps", "findings", "definitions"], "incremental"));
    const first = await run("read", { config, catalog });
    expect(first.outcome).toBe("succeeded");
    expect(recordsOf(first, "findings")).toHaveLength((await groundTruth(sim, "findings")).length);
    const state = finalStates(first);
    expect(state).toHaveLength(3);
    const cursorOf = (name: AirbyteStreamName): number => {
      const cursor = statesOf(first, name).at(-1)?.stream.stream_state.cursor;
      if (typeof cursor !== "string") throw new Error(`no cursor for ${name}`);
      return Date.parse(cursor);
    };
    const known = statesOf(first, "definitions").at(-1)?.stream.stream_state.qids;
    if (!Array.isArray(known)) throw new Error("the definitions state keeps no QIDs");

    sim.control.scanCycle(1);
    const second = await run("read", { config, catalog, state: jsonFile(state) });
    expect(second.outcome).toBe("succeeded");

    const after = (date: string | null | undefined, cursor: number) =>
      date !== null && date !== undefined && Date.parse(date) > cursor;
    const webApps = await groundTruth<{ id: number; updatedDate: string }>(sim, "webapps");
    const changedWebApps = webApps.filter((w) => after(w.updatedDate, cursorOf("webapps"))).map((w) => w.id);
    expect(
      recordsOf(second, "webapps")
        .map((r) => numberField(r, "id"))
        .sort(),
    ).toEqual(changedWebApps.sort());
    expect(changedWebApps.length).toBeLessThan(webApps.length);

    const world = [...sim.control.world.findings.values()];
    const changedFindings = world
      .filter(
        (f) => after(f.lastTestedDate, cursorOf("findings")) || after(f.ignoredDate, cursorOf("findings")),
      )
      .map((f) => f.id);
    const emittedFindings = recordsOf(second, "findings");
    expect(emittedFindings.map((r) => numberField(r, "id")).sort((a, b) => a - b)).toEqual(
      changedFindings.sort((a, b) => a - b),
    );
    expect(emittedFindings.length).toBeLessThan(world.length);
    for (const record of emittedFindings) {
      const tested = record.data.lastTestedDate;
      const ignored = record.data.ignoredDate;
      expect(
        (typeof tested === "string" && Date.parse(tested) > cursorOf("findings")) ||
          (typeof ignored === "string" && Date.parse(ignored) > cursorOf("findings")),
      ).toBe(true);
    }

    // Definitions: new QIDs in full, known ones only when the KnowledgeBase changed them since the cursor.
    const knownSet = new Set(known);
    const newQids = new Set(
      emittedFindings.map((r) => numberField(r, "qid")).filter((q) => !knownSet.has(q)),
    );
    const modified = [...sim.control.world.kb.values()]
      .filter((v) => knownSet.has(v.qid) && after(v.lastServiceModificationDate, cursorOf("definitions")))
      .map((v) => v.qid);
    expect(new Set(recordsOf(second, "definitions").map((r) => numberField(r, "qid")))).toEqual(
      new Set([...newQids, ...modified]),
    );
    const remembered = statesOf(second, "definitions").at(-1)?.stream.stream_state.qids;
    expect(remembered).toEqual(expect.arrayContaining([...known, ...newQids]));
  });

  it("resumes an interrupted read from the checkpoint of its last STATE", async () => {
    const config = jsonFile(configOf(sim));
    const catalog = jsonFile(catalogOf(["findings"], "incremental"));
    const whole = await run("read", { config, catalog });
    const records = recordsOf(whole, "findings");
    const [firstState] = statesOf(whole, "findings");
    if (!firstState) throw new Error("no STATE");
    const checkpoint = firstState.stream.stream_state.checkpoint as { afterId: number; pass: string };
    expect(checkpoint.pass).toBe("all");

    const resumed = await run("read", {
      config,
      catalog,
      state: jsonFile([{ type: "STREAM", stream: firstState.stream }]),
    });
    expect(resumed.outcome).toBe("succeeded");
    const rest = recordsOf(resumed, "findings").map((r) => numberField(r, "id"));
    expect(rest).toEqual(records.map((r) => numberField(r, "id")).filter((id) => id > checkpoint.afterId));
    expect(rest.length).toBe(records.length - firstState.sourceStats.recordCount);
  });

  it("full refresh ignores the state", async () => {
    const config = jsonFile(configOf(sim));
    const incremental = await run("read", {
      config,
      catalog: jsonFile(catalogOf(["webapps"], "incremental")),
    });
    const full = await run("read", {
      config,
      catalog: jsonFile(catalogOf(["webapps"], "full_refresh")),
      state: jsonFile(finalStates(incremental)),
    });
    expect(recordsOf(full, "webapps")).toHaveLength((await groundTruth(sim, "webapps")).length);
  });

  it("a failing stream is INCOMPLETE with a TRACE ERROR, and the others still run", async () => {
    const config = jsonFile(configOf(sim, { max_retries: 0 }));
    const catalog = jsonFile(catalogOf(["webapps", "findings"], "full_refresh"));
    // The state of a stream is the platform's input: a malformed one fails that stream only.
    const state = jsonFile([
      {
        type: "STREAM",
        stream: { stream_descriptor: { name: "webapps" }, stream_state: { cursor: "yesterday" } },
      },
    ]);
    const incremental = jsonFile({
      streams: [
        { stream: { name: "webapps" }, sync_mode: "incremental", destination_sync_mode: "append" },
        { stream: { name: "findings" }, sync_mode: "full_refresh", destination_sync_mode: "overwrite" },
      ],
    });
    const out = await run("read", { config, catalog: incremental, state });
    expect(out.outcome).toBe("failed");
    expect(statusesOf(out, "webapps")).toEqual(["STARTED", "INCOMPLETE"]);
    const error = out.messages.find((m) => m.type === "TRACE" && m.trace.type === "ERROR");
    if (error?.type !== "TRACE" || error.trace.type !== "ERROR") throw new Error("expected TRACE ERROR");
    expect(error.trace.error).toMatchObject({
      failure_type: "config_error",
      stream_descriptor: { name: "webapps" },
    });
    expect(statusesOf(out, "findings")).toEqual(["STARTED", "RUNNING", "COMPLETE"]);
    expect(recordsOf(out, "findings").length).toBeGreaterThan(0);
    // Sanity: with a usable state the same catalog succeeds.
    expect((await run("read", { config, catalog })).outcome).toBe("succeeded");
  });
});
