/**
 * The Airbyte image's entrypoint (integrations/airbyte/entrypoint.sh), run as the image runs it but without
 * Docker: `qualys-connector` on PATH is the CLI bundle built for this test run, and the script gets the protocol
 * commands Airbyte gives a source. Every stdout line must be a protocol message; `read` is checked against the
 * simulator's ground truth and resumed from its own STATE. The Dockerfile is checked for what Airbyte reads
 * from an image (labels, AIRBYTE_ENTRYPOINT equal to the ENTRYPOINT).
 */

import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliArgv } from "./cli-process.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ENTRYPOINT = path.join(root, "integrations/airbyte/entrypoint.sh");
const DOCKERFILE = path.join(root, "integrations/airbyte/Dockerfile");

const work = mkdtempSync(path.join(tmpdir(), "airbyte-entrypoint-"));

/** A `qualys-connector` command on PATH that runs this test run's bundle, as the installed bin would. */
function installShim(): string {
  const { command, args } = cliArgv([]);
  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
  writeFileSync(
    path.join(work, "qualys-connector"),
    `#!/bin/sh\nexec ${[command, ...args].map(quote).join(" ")} "$@"\n`,
  );
  chmodSync(path.join(work, "qualys-connector"), 0o755);
  return work;
}

interface Message {
  type: string;
  [key: string]: unknown;
}

interface EntrypointRun {
  code: number | null;
  stderr: string;
  messages: Message[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Each line a protocol message of a known type with the fields that type requires (the Airbyte protocol's
 * AirbyteMessage): a line that is not would make the platform fail the sync.
 */
function protocolMessage(line: string): Message {
  const message = JSON.parse(line) as unknown;
  if (!isObject(message) || typeof message.type !== "string") throw new Error(`not a message: ${line}`);
  const body: Record<string, string> = {
    SPEC: "spec",
    CONNECTION_STATUS: "connectionStatus",
    CATALOG: "catalog",
    RECORD: "record",
    STATE: "state",
    LOG: "log",
    TRACE: "trace",
  };
  const field = body[message.type];
  expect(field, `message type ${message.type}`).toBeDefined();
  expect(isObject(message[field ?? ""]), `${message.type} has ${field}`).toBe(true);
  if (message.type === "RECORD") {
    const record = message.record as Record<string, unknown>;
    expect(typeof record.stream).toBe("string");
    expect(isObject(record.data)).toBe(true);
    expect(Number.isInteger(record.emitted_at)).toBe(true);
  }
  if (message.type === "LOG")
    expect(["FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"]).toContain(
      (message.log as Record<string, unknown>).level,
    );
  return message as Message;
}

let shimDir: string;
let sim: RunningSimulator;

function runEntrypoint(args: readonly string[]): Promise<EntrypointRun> {
  return new Promise((resolve, reject) => {
    // The script itself is executed (its shebang and mode), with a clean environment as a container has.
    const child = spawn(ENTRYPOINT, [...args], {
      env: { PATH: `${shimDir}:${process.env.PATH ?? ""}`, HOME: work },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      try {
        const lines = stdout.split("\n").filter((line) => line !== "");
        resolve({ code, stderr, messages: lines.map(protocolMessage) });
      } catch (error) {
        reject(error);
      }
    });
  });
}

function jsonFile(name: string, value: unknown): string {
  const file = path.join(work, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

const byType = (run: EntrypointRun, type: string) => run.messages.filter((m) => m.type === type);

beforeAll(async () => {
  shimDir = installShim();
  sim = await startSimulator({ port: 0, webapps: 6, findingsPerWebapp: 5 });
});
afterAll(async () => {
  await sim?.close();
});

describe("integrations/airbyte/entrypoint.sh", () => {
  it("is executable and hands its arguments to `qualys-connector airbyte`", () => {
    expect(statSync(ENTRYPOINT).mode & 0o111).not.toBe(0);
    expect(readFileSync(ENTRYPOINT, "utf8")).toMatch(/^exec qualys-connector airbyte "\$@"$/m);
  });

  it("spec: one SPEC message with the config's schema", async () => {
    const run = await runEntrypoint(["spec"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.messages.map((m) => m.type)).toEqual(["SPEC"]);
    const spec = run.messages[0]?.spec as { connectionSpecification: { required: string[] } };
    expect(spec.connectionSpecification.required).toEqual(["username", "password"]);
  });

  it("check: SUCCEEDED against the simulator, FAILED with a wrong password (exit 0 both, as the protocol asks)", async () => {
    const good = await runEntrypoint([
      "check",
      "--config",
      jsonFile("good.json", { api_url: sim.url, username: "sim_user", password: "sim-password" }),
    ]);
    expect(good.code, good.stderr).toBe(0);
    expect(byType(good, "CONNECTION_STATUS").map((m) => m.connectionStatus)).toMatchObject([
      { status: "SUCCEEDED" },
    ]);
    const bad = await runEntrypoint([
      "check",
      "--config",
      jsonFile("bad.json", { api_url: sim.url, username: "sim_user", password: "wrong-password" }),
    ]);
    expect(bad.code, bad.stderr).toBe(0);
    const status = byType(bad, "CONNECTION_STATUS")[0]?.connectionStatus as {
      status: string;
      message: string;
    };
    expect(status.status).toBe("FAILED");
    expect(status.message).not.toContain("wrong-password");
  });

  it("discover, then read and a resumed incremental read: records match the simulator, STATE carries the cursor", async () => {
    const config = jsonFile("config.json", {
      api_url: sim.url,
      username: "sim_user",
      password: "sim-password",
      page_size: 10,
    });
    const discover = await runEntrypoint(["discover", "--config", config]);
    expect(discover.code, discover.stderr).toBe(0);
    const catalog = byType(discover, "CATALOG")[0]?.catalog as {
      streams: { name: string; supported_sync_modes: string[]; default_cursor_field: string[] }[];
    };
    expect(catalog.streams.map((s) => [s.name, s.default_cursor_field])).toEqual([
      ["webapps", ["updatedDate"]],
      ["findings", ["lastTestedDate"]],
      ["definitions", ["lastServiceModificationDate"]],
    ]);

    const configured = jsonFile("catalog.json", {
      streams: catalog.streams.map((stream) => ({
        stream,
        sync_mode: "incremental",
        destination_sync_mode: "append_dedup",
      })),
    });
    const read = await runEntrypoint(["read", "--config", config, "--catalog", configured]);
    expect(read.code, read.stderr).toBe(0);
    const records = (stream: string, run: EntrypointRun) =>
      byType(run, "RECORD")
        .map((m) => m.record as { stream: string; data: { id?: number; qid?: number } })
        .filter((r) => r.stream === stream);
    const webApps = (await (await fetch(`${sim.url}/__sim/ground-truth/webapps`)).json()) as { id: number }[];
    const findings = (await (await fetch(`${sim.url}/__sim/ground-truth/findings`)).json()) as {
      id: number;
      qid: number;
    }[];
    expect(
      records("webapps", read)
        .map((r) => r.data.id)
        .sort(),
    ).toEqual(webApps.map((w) => w.id).sort());
    expect(records("findings", read).map((r) => r.data.id)).toHaveLength(findings.length);
    expect(new Set(records("definitions", read).map((r) => r.data.qid))).toEqual(
      new Set(findings.map((f) => f.qid)),
    );
    // The last STATE of each stream: its cursor for the next run.
    const lastStates = new Map<string, Message>();
    for (const message of byType(read, "STATE")) {
      const state = message.state as { type: string; stream: { stream_descriptor: { name: string } } };
      expect(state.type).toBe("STREAM");
      lastStates.set(state.stream.stream_descriptor.name, message);
    }
    expect([...lastStates.keys()]).toEqual(["webapps", "findings", "definitions"]);
    const cursors = [...lastStates.values()].map(
      (m) => (m.state as { stream: { stream_state: { cursor: string } } }).stream.stream_state.cursor,
    );
    for (const cursor of cursors) expect(cursor).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const statuses = byType(read, "TRACE")
      .map((m) => m.trace as { type: string; stream_status?: { status: string } })
      .filter((t) => t.type === "STREAM_STATUS")
      .map((t) => t.stream_status?.status);
    expect(statuses.filter((s) => s === "COMPLETE")).toHaveLength(3);

    // Airbyte hands the last STATE messages back: the next read asks only for what changed since the cursor.
    const state = jsonFile(
      "state.json",
      [...lastStates.values()].map((m) => m.state),
    );
    const again = await runEntrypoint([
      "read",
      "--config",
      config,
      "--catalog",
      configured,
      "--state",
      state,
    ]);
    expect(again.code, again.stderr).toBe(0);
    const logs = byType(again, "LOG").map((m) => (m.log as { message: string }).message);
    expect(logs).toContain(`webapps: records changed since ${cursors[0]}`);
    expect(logs).toContain(`findings: records changed since ${cursors[1]}`);
    expect(records("webapps", again)).toEqual([]);
  });

  it("a bad config: a TRACE ERROR on stdout and exit 3, nothing else on stdout", async () => {
    const run = await runEntrypoint(["read", "--config", jsonFile("empty.json", {}), "--catalog", "x"]);
    expect(run.code).toBe(3);
    const trace = byType(run, "TRACE")[0]?.trace as { type: string; error: { failure_type: string } };
    expect(trace).toMatchObject({ type: "ERROR", error: { failure_type: "config_error" } });
    expect(run.messages.map((m) => m.type)).toEqual(["TRACE"]);
  });
});

describe("integrations/airbyte/Dockerfile", () => {
  const dockerfile = readFileSync(DOCKERFILE, "utf8");
  const instruction = (name: string) =>
    dockerfile
      .split("\n")
      .filter((line) => line.startsWith(`${name} `))
      .map((line) => line.slice(name.length + 1).trim());

  it("runs the entrypoint script, which AIRBYTE_ENTRYPOINT names too", () => {
    const [entrypoint] = instruction("ENTRYPOINT");
    const target = (JSON.parse(entrypoint ?? "[]") as string[])[0];
    expect(target).toBe("/airbyte/entrypoint.sh");
    expect(instruction("ENV")).toContain(`AIRBYTE_ENTRYPOINT="${target}"`);
    expect(instruction("COPY")).toContain(`--chmod=755 entrypoint.sh ${target}`);
  });

  it("installs the packed CLI on a Node.js 20 slim base, with Airbyte's labels", () => {
    expect(instruction("FROM")).toEqual(["node:20-slim"]);
    // The tarball, not the repository's sources.
    // The Dockerfile's own `${VERSION}`, written so that it is no template placeholder here.
    expect(instruction("COPY")).toContain(`qualys-connector-$\{VERSION}.tgz /tmp/`);
    expect(dockerfile).toMatch(/npm install --global .*"\/tmp\/qualys-connector-\$\{VERSION\}\.tgz"/);
    expect(dockerfile).toMatch(/io\.airbyte\.name="\$\{IMAGE_NAME\}"/);
    expect(dockerfile).toMatch(/io\.airbyte\.version="\$\{VERSION\}"/);
  });
});
