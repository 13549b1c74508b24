// Bundle each pipeline task into tasks/<Name>/dist/index.js: one CommonJS file with the gate, the client and
// azure-pipelines-task-lib inlined, so the task folder needs no node_modules.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Task folder name -> entry source. */
export const TASKS = { QualysWasScan: "src/was-task.ts", QualysVmScan: "src/vm-task.ts" };

export async function buildTasks(outRoot = root) {
  const outputs = [];
  for (const [name, entry] of Object.entries(TASKS)) {
    const outDir = path.join(outRoot, "tasks", name, "dist");
    mkdirSync(outDir, { recursive: true });
    await build({
      entryPoints: [path.join(root, entry)],
      outfile: path.join(outDir, "index.js"),
      bundle: true,
      platform: "node",
      // The oldest Node the task's handlers run on (Node20_1).
      target: "node20",
      format: "cjs",
      minify: false,
      legalComments: "none",
      logLevel: "warning",
    });
    // The package around this folder is ESM; the bundle is CommonJS, which this marker says to Node.
    writeFileSync(path.join(outDir, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
    outputs.push(path.join(outDir, "index.js"));
  }
  return outputs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of await buildTasks()) console.log(`built ${path.relative(process.cwd(), file)}`);
}
