/**
 * Bundle the action into dist/index.js: one CommonJS file with the gate and the client inlined, committed, so
 * the runner needs no node_modules. The build is reproducible (no timestamps, paths relative to the repository,
 * no source map), so CI rebuilds it and fails when the committed file differs (.ci/run).
 */

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REPO_ROOT = path.resolve(PACKAGE_DIR, "..", "..");

/** Build the bundle into `outDir` (default: this package's dist); returns the bundle's path. */
export async function buildAction(outDir = path.join(PACKAGE_DIR, "dist")): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, "index.js");
  await build({
    entryPoints: [path.join(PACKAGE_DIR, "src/index.ts")],
    outfile,
    // Module paths in the bundle are relative to the repository, wherever it is checked out.
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: "node",
    // action.yml runs it on Node 24; Node 20 (the repository's own) must run it too.
    target: "node20",
    format: "cjs",
    minify: true,
    legalComments: "none",
    sourcemap: false,
    charset: "utf8",
    logLevel: "warning",
  });
  // The package around this folder is ESM; the bundle is CommonJS, which this marker tells Node.
  writeFileSync(path.join(outDir, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
  return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`built ${path.relative(process.cwd(), await buildAction())}`);
}
