/**
 * Bundle each pipeline task into tasks/<Name>/dist/index.js: one CommonJS file with the gate, the client and
 * azure-pipelines-task-lib inlined, so the task folder needs no node_modules.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Task folder name -> entry source. */
export const TASKS = { QualysWasScan: "src/was-task.ts", QualysVmScan: "src/vm-task.ts" } as const;

/** Build both bundles under `outRoot` (default: this package); returns the bundle paths by task. */
export async function buildTasks(outRoot = PACKAGE_DIR): Promise<Record<keyof typeof TASKS, string>> {
  const outputs: Partial<Record<keyof typeof TASKS, string>> = {};
  for (const [name, entry] of Object.entries(TASKS) as [keyof typeof TASKS, string][]) {
    const outDir = path.join(outRoot, "tasks", name, "dist");
    mkdirSync(outDir, { recursive: true });
    const outfile = path.join(outDir, "index.js");
    await build({
      entryPoints: [path.join(PACKAGE_DIR, entry)],
      outfile,
      bundle: true,
      platform: "node",
      // The oldest Node the task's handlers run on (Node20_1).
      target: "node20",
      format: "cjs",
      minify: true,
      legalComments: "none",
      logLevel: "warning",
    });
    // The package around this folder is ESM; the bundle is CommonJS, which this marker tells Node.
    writeFileSync(path.join(outDir, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
    outputs[name] = outfile;
  }
  return outputs as Record<keyof typeof TASKS, string>;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const file of Object.values(await buildTasks()))
    console.log(`built ${path.relative(process.cwd(), file)}`);
}
