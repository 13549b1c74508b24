/**
 * Runs the real bundled tasks with azure-pipelines-task-lib's MockTestRunner against a simulator in a worker
 * thread, offline: the runner uses this Node (`nodePath`), so it downloads nothing.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { SimulatorOptions } from "@qualys-connector/simulator";
import { MockTestRunner } from "azure-pipelines-task-lib/mock-test";
import { build } from "esbuild";
import { buildTasks, PACKAGE_DIR } from "../scripts/build-tasks.js";

export interface SimHandle {
  url: string;
  username: string;
  password: string;
  close(): Promise<void>;
}

/** Bundle the worker (the simulator is TypeScript) and start it; resolves once it listens. */
export async function startSimulatorThread(dir: string, options: SimulatorOptions): Promise<SimHandle> {
  const outfile = path.join(dir, "sim-worker.mjs");
  await build({
    entryPoints: [path.join(PACKAGE_DIR, "test/fixtures/sim-worker.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
  });
  const worker = new Worker(outfile, { workerData: options });
  const started = await new Promise<{ url: string; username: string; password: string }>(
    (resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    },
  );
  return {
    ...started,
    close: async () => {
      const closed = new Promise((resolve) => worker.once("message", resolve));
      worker.postMessage("close");
      await closed;
      await worker.terminate();
    },
  };
}

export interface TaskRun {
  succeeded: boolean;
  /** The result of `##vso[task.complete result=...]`. */
  result: string | undefined;
  stdout: string;
  stderr: string;
  /** Output variables set with `##vso[task.setvariable ...;isOutput=true]`. */
  outputs: Record<string, string>;
  /** `##vso[task.addattachment]` lines: type, name and path. */
  attachments: { type: string; name: string; path: string }[];
  /** `##vso[task.uploadsummary]` paths. */
  summaries: string[];
}

/**
 * The agent's temporary folder for a run: where the task lib keeps its vault key (`.taskkey`), which it would
 * otherwise write into the working directory. The bundle's own temporary folder, one per test file.
 */
function agentTemp(taskPath: string): string {
  return path.resolve(path.dirname(taskPath), "..", "..", "..");
}

/** Build the task bundles once into `dir`; returns the bundle path of each task. */
export async function bundleTasks(dir: string): Promise<{ QualysWasScan: string; QualysVmScan: string }> {
  return buildTasks(dir);
}

/** Run a task bundle with the given inputs and the connection to `endpoint`. */
/** The service connection of a run: a username and password, or OAuth client credentials. */
export type TestEndpoint =
  | { url: string; username: string; password: string }
  | { url: string; clientId: string; clientSecret: string };

export async function runTask(
  taskPath: string,
  inputs: Record<string, string>,
  endpoint: TestEndpoint,
  env: Record<string, string> = {},
): Promise<TaskRun> {
  // The test file goes to the constructor: LoadAsync would look for a Node of the task.json's handler to
  // download, and with nodePath already set it returns before it records the test file.
  const runner = new MockTestRunner(path.join(PACKAGE_DIR, "test/fixtures/run-task.cjs"));
  runner.nodePath = process.execPath;
  const saved = { ...process.env };
  process.env.QUALYS_TASK_CASE = JSON.stringify({
    taskPath,
    inputs: { qualysConnection: "qualys-sim", ...inputs },
    endpoint,
  });
  Object.assign(process.env, { TF_BUILD: "True", AGENT_TEMPDIRECTORY: agentTemp(taskPath), ...env });
  try {
    await runner.runAsync();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
  return parseRun(runner.succeeded, runner.stdout, runner.stderr);
}

/** Read the logging commands of a run's stdout. */
function parseRun(succeeded: boolean, stdout: string, stderr: string): TaskRun {
  const outputs: Record<string, string> = {};
  const attachments: TaskRun["attachments"] = [];
  const summaries: string[] = [];
  let result: string | undefined;
  for (const line of stdout.split(/\r?\n/)) {
    const command = /^##vso\[([\w.]+)([^\]]*)\](.*)$/.exec(line);
    if (!command) continue;
    const [, name, props = "", data = ""] = command;
    const prop = (key: string) => new RegExp(`[ ;]${key}=([^;]*)`).exec(props)?.[1];
    if (name === "task.setvariable" && prop("isOutput") === "true") outputs[prop("variable") ?? ""] = data;
    else if (name === "task.addattachment")
      attachments.push({ type: prop("type") ?? "", name: prop("name") ?? "", path: data });
    else if (name === "task.uploadsummary") summaries.push(data);
    else if (name === "task.complete") result = prop("result");
  }
  return { succeeded, result, stdout, stderr, outputs, attachments, summaries };
}

/** A temporary folder for one test file; removed by the returned function. */
export function temporaryDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "qualys-ado-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** result.json of a run, parsed. */
export function readResult(file: string): {
  verdict: string;
  criteria: { id: string; outcome: string }[];
  findings: { qid: number; severity: number }[];
  scan?: { status?: string };
  apiCalls: Record<string, number>;
} {
  return JSON.parse(readFileSync(file, "utf8"));
}

/**
 * Start a task bundle as the agent does (inputs and the connection in the environment), without the mock runner,
 * so the test can signal it while it runs. Resolves with the process and a way to wait for a line of its stdout.
 */
export function spawnTask(
  taskPath: string,
  inputs: Record<string, string>,
  endpoint: { url: string; username: string; password: string },
  env: Record<string, string> = {},
): {
  child: ChildProcess;
  stdout: () => string;
  waitFor: (pattern: RegExp) => Promise<void>;
  exited: Promise<number | null>;
} {
  const id = "qualys-sim";
  const variables: Record<string, string> = {
    TF_BUILD: "True",
    AGENT_TEMPDIRECTORY: agentTemp(taskPath),
    [`ENDPOINT_URL_${id}`]: endpoint.url,
    [`ENDPOINT_AUTH_SCHEME_${id}`]: "UsernamePassword",
    [`ENDPOINT_AUTH_PARAMETER_${id}_USERNAME`]: endpoint.username,
    [`ENDPOINT_AUTH_PARAMETER_${id}_PASSWORD`]: endpoint.password,
    ...Object.fromEntries(
      Object.entries({ qualysConnection: id, ...inputs }).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]),
    ),
    ...env,
  };
  const child = spawn(process.execPath, [taskPath], { env: { ...process.env, ...variables } });
  let out = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
    for (const waiter of [...waiters])
      if (waiter.pattern.test(out)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    waitFor: (pattern) =>
      pattern.test(out)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ pattern, resolve });
            void exited.then(() => reject(new Error(`the task exited before ${pattern}:\n${out}`)));
          }),
    exited,
  };
}
