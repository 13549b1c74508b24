/**
 * Bundle the CLI once per test run, as `npm run build` does (packages/cli/tsup.config.ts), so that every test that
 * runs `qualys-connector` in a child process runs the code users install, from the current source, without paying
 * for a TypeScript loader in each child (about a third of the CPU of a tsx start). Each run gets its own folder, so
 * two runs side by side never share a bundle. The folder sits below packages/cli so that the bundle's npm imports
 * resolve to the CLI's own dependencies, as they do once installed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "tsup";
import type { TestProject } from "vitest/node";
import cliBundleConfig from "../packages/cli/tsup.config.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Absolute path of the CLI bundle built for this run. */
    cliBundle: string;
  }
}

const cliDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../packages/cli");

export default async function setup(project: TestProject): Promise<() => void> {
  const cacheDir = path.join(cliDir, "node_modules/.cache");
  mkdirSync(cacheDir, { recursive: true });
  const outDir = mkdtempSync(path.join(cacheDir, "test-cli-"));
  const { dependencies = {} } = JSON.parse(readFileSync(path.join(cliDir, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  await build({
    ...cliBundleConfig,
    entry: { cli: path.join(cliDir, "src/bin.ts") },
    outDir,
    clean: false,
    sourcemap: false,
    silent: true,
    config: false,
    // tsup reads the externals from the package.json of the working directory, which here is the repository's.
    external: Object.keys(dependencies),
  });
  project.provide("cliBundle", path.join(outDir, "cli.js"));
  return () => rmSync(outDir, { recursive: true, force: true });
}
