/**
 * `npm run package:azure-devops`: bundle the tasks, build the results views (web/build.mjs, when present), stage
 * exactly the files the manifest names and run `tfx extension create` on them, offline, into dist/*.vsix.
 * Fails, naming what is missing, when the views were not built: an extension without them would install, but its
 * Summary section and Qualys tab would be blank.
 */

import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildTasks, PACKAGE_DIR, TASKS } from "./build-tasks.js";

/** The pages the manifest's build results section and tab load. */
export const WEB_PAGES = ["dist/web/section.html", "dist/web/tab.html"] as const;

/**
 * Build and package the extension found in `root` (default: this package); returns the path of the .vsix,
 * written to `<root>/dist`.
 */
export async function packageExtension(root = PACKAGE_DIR): Promise<string> {
  await buildTasks(root);
  const webBuild = path.join(root, "web", "build.mjs");
  if (existsSync(webBuild)) execFileSync(process.execPath, [webBuild], { cwd: root, stdio: "inherit" });
  const missing = WEB_PAGES.filter((page) => !existsSync(path.join(root, page)));
  if (missing.length > 0)
    throw new Error(
      `cannot package the extension: ${missing.join(" and ")} missing in ${root}; the build results views ` +
        "(web/build.mjs) must be built first",
    );
  const stage = mkdtempSync(path.join(os.tmpdir(), "qualys-vsix-"));
  try {
    for (const file of ["vss-extension.json", "README.md"])
      cpSync(path.join(root, file), path.join(stage, file));
    for (const name of Object.keys(TASKS)) {
      const from = path.join(root, "tasks", name);
      const to = path.join(stage, "tasks", name);
      mkdirSync(path.join(to, "dist"), { recursive: true });
      cpSync(path.join(from, "task.json"), path.join(to, "task.json"));
      // The bundle and its CommonJS marker, nothing else: no node_modules beside the task.
      for (const file of ["index.js", "package.json"])
        cpSync(path.join(from, "dist", file), path.join(to, "dist", file));
    }
    cpSync(path.join(root, "dist", "web"), path.join(stage, "dist", "web"), { recursive: true });
    const outDir = path.join(root, "dist");
    mkdirSync(outDir, { recursive: true });
    for (const old of readdirSync(outDir).filter((f) => f.endsWith(".vsix"))) rmSync(path.join(outDir, old));
    const tfx = createRequire(import.meta.url).resolve("tfx-cli/_build/tfx-cli.js");
    execFileSync(
      process.execPath,
      [
        tfx,
        "extension",
        "create",
        "--root",
        stage,
        "--manifest-globs",
        "vss-extension.json",
        "--output-path",
        outDir,
        "--no-prompt",
        "--no-color",
      ],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
    const vsix = readdirSync(outDir).find((f) => f.endsWith(".vsix"));
    if (vsix === undefined) throw new Error(`tfx extension create wrote no .vsix into ${outDir}`);
    return path.join(outDir, vsix);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(`wrote ${path.relative(process.cwd(), await packageExtension())}`);
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
