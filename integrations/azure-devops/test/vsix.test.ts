/**
 * The packaged extension: `tfx extension create` run on a copy of this package (with stand-in pages for the
 * results views when they are not built here), the .vsix unpacked and checked: the manifest's contributions, both
 * task.json files against the task schema's rules, unique task ids, and each task's entry run on its own.
 */

import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_DIR, TASKS } from "../scripts/build-tasks.js";
import { packageExtension, WEB_PAGES } from "../scripts/package.js";
import { temporaryDir } from "./task-process.js";
import { taskJsonSchema } from "./task-schema.js";

const temp = temporaryDir();
const copy = path.join(temp.dir, "azure-devops");
const unpacked = path.join(temp.dir, "unpacked");
let vsix: string;

beforeAll(async () => {
  mkdirSync(unpacked);
  // CI checks the .vsix that `npm run package:azure-devops` built, with the real views (QUALYS_ADO_VSIX).
  const built = process.env.QUALYS_ADO_VSIX;
  if (built) vsix = path.resolve(built);
  // With the views' sources present, the package itself is built, as `npm run package:azure-devops` does (their
  // build resolves its imports from where it sits); without them, a copy with stand-in pages.
  else if (existsSync(path.join(PACKAGE_DIR, "web", "build.mjs"))) vsix = await packageExtension();
  else vsix = await packageCopy();
  // A .vsix is a zip file (Open Packaging Conventions).
  execFileSync("python3", ["-m", "zipfile", "-e", vsix, unpacked]);
}, 300_000);
afterAll(() => temp.remove());

/** Package a copy of this package with stand-in pages for the results views, whose sources are absent. */
async function packageCopy(): Promise<string> {
  mkdirSync(copy, { recursive: true });
  for (const file of ["vss-extension.json", "README.md"])
    cpSync(path.join(PACKAGE_DIR, file), path.join(copy, file));
  for (const name of Object.keys(TASKS))
    cpSync(path.join(PACKAGE_DIR, "tasks", name, "task.json"), path.join(copy, "tasks", name, "task.json"));
  // Stand-ins in this temporary copy only, never in the package.
  mkdirSync(path.join(copy, "dist/web"), { recursive: true });
  for (const page of WEB_PAGES)
    writeFileSync(path.join(copy, page), "<!doctype html><title>stand-in</title>\n");
  return packageExtension(copy);
}

const readUnpacked = <T>(file: string): T => JSON.parse(readFileSync(path.join(unpacked, file), "utf8")) as T;

/** tfx writes the manifest's contributions into extension.vsomanifest. */
interface Manifest {
  contributions: { id: string; type: string; targets: string[]; properties: Record<string, unknown> }[];
}
interface TaskJson {
  id: string;
  name: string;
  inputs: { name: string; type: string; visibleRule?: string }[];
  execution: Record<string, { target: string }>;
}

describe("the .vsix", () => {
  it("is a zip with the manifest, both tasks' task.json and bundle, the views, and no node_modules", () => {
    expect(path.basename(vsix)).toMatch(/\.vsix$/);
    expect(statSync(vsix).size).toBeGreaterThan(100_000);
    const files = readdirSync(unpacked, { recursive: true }).map(String);
    for (const file of [
      "extension.vsixmanifest",
      "extension.vsomanifest",
      "tasks/QualysWasScan/task.json",
      "tasks/QualysWasScan/dist/index.js",
      "tasks/QualysVmScan/task.json",
      "tasks/QualysVmScan/dist/index.js",
      ...WEB_PAGES,
    ])
      expect(files).toContain(file);
    expect(files.filter((f) => f.split(path.sep).includes("node_modules"))).toEqual([]);
  });

  it("declares the tasks, the service connection type and the results views as agreed", () => {
    const manifest = readUnpacked<Manifest>("extension.vsomanifest");
    const byId = new Map(manifest.contributions.map((c) => [c.id, c]));
    const was = readUnpacked<TaskJson>("tasks/QualysWasScan/task.json");
    const vm = readUnpacked<TaskJson>("tasks/QualysVmScan/task.json");
    expect(byId.get("qualys-build-results-section")).toMatchObject({
      type: "ms.vss-build-web.build-results-section",
      targets: ["ms.vss-build-web.build-results-view"],
      properties: { uri: "dist/web/section.html" },
    });
    expect(byId.get("qualys-build-results-tab")).toMatchObject({
      type: "ms.vss-build-web.build-results-tab",
      properties: { name: "Qualys", uri: "dist/web/tab.html", supportsTasks: [was.id, vm.id] },
    });
    const endpoint = manifest.contributions.find((c) => c.type === "ms.vss-endpoint.service-endpoint-type");
    expect(endpoint?.properties.name).toBe("qualys");
    for (const task of [was, vm])
      expect(task.inputs.find((i) => i.name === "qualysConnection")?.type).toBe("connectedService:qualys");
    const taskContributions = manifest.contributions.filter((c) => c.type === "ms.vss-distributed-task.task");
    expect(taskContributions.map((c) => c.properties.name).sort()).toEqual([
      "tasks/QualysVmScan",
      "tasks/QualysWasScan",
    ]);
  });

  it("each task.json follows the task schema, with Node20_1 and Node24 handlers and unique ids", () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(taskJsonSchema);
    const tasks = Object.keys(TASKS).map((name) => readUnpacked<TaskJson>(`tasks/${name}/task.json`));
    for (const task of tasks) {
      expect(validate(task), JSON.stringify(validate.errors, null, 2)).toBe(true);
      expect(Object.keys(task.execution).sort()).toEqual(["Node20_1", "Node24"]);
      const names = task.inputs.map((i) => i.name);
      expect(new Set(names).size).toBe(names.length);
      // Every visibleRule names an input of the same task.
      for (const input of task.inputs.filter((i) => i.visibleRule))
        expect(names).toContain(/^(\w+)/.exec(input.visibleRule ?? "")?.[1]);
    }
    const ids = tasks.map((t) => t.id.toLowerCase());
    expect(new Set(ids).size).toBe(ids.length);
    const manifest = readUnpacked<Manifest>("extension.vsomanifest");
    const contributionIds = manifest.contributions.map((c) => c.id);
    expect(new Set(contributionIds).size).toBe(contributionIds.length);
  });

  it("each task's entry runs from the unpacked folder alone and fails cleanly on missing inputs", () => {
    for (const name of Object.keys(TASKS)) {
      const task = readUnpacked<TaskJson>(`tasks/${name}/task.json`);
      const entry = path.join(unpacked, "tasks", name, task.execution.Node20_1?.target ?? "");
      const run = spawnSync(process.execPath, [entry], {
        cwd: path.dirname(entry),
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "" },
        timeout: 60_000,
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe("");
      expect(run.stdout).toContain("##vso[task.complete result=Failed;]Input required: qualysConnection");
    }
  });
});

describe("packaging without the results views", () => {
  it("fails naming the missing pages instead of leaving them out", async () => {
    const bare = path.join(temp.dir, "without-views");
    mkdirSync(bare, { recursive: true });
    for (const file of ["vss-extension.json", "README.md"])
      cpSync(path.join(PACKAGE_DIR, file), path.join(bare, file));
    for (const name of Object.keys(TASKS))
      cpSync(path.join(PACKAGE_DIR, "tasks", name, "task.json"), path.join(bare, "tasks", name, "task.json"));
    await expect(packageExtension(bare)).rejects.toThrow(
      /dist\/web\/section\.html and dist\/web\/tab\.html missing .*web\/build\.mjs/,
    );
    expect(existsSync(path.join(bare, "dist"))).toBe(false);
  }, 120_000);
});
