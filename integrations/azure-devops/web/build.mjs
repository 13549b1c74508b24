#!/usr/bin/env node
/**
 * Builds the extension's browser views into integrations/azure-devops/dist/web: section.html and tab.html with
 * their .js (one bundle each, browser platform) and .css (the gate report's stylesheet, then the views' own).
 *
 *   node integrations/azure-devops/web/build.mjs [--out DIR] [--sdk DIR]
 *
 * --sdk DIR replaces the Azure DevOps SDK and API packages with the modules sdk.ts, api.ts and build.ts in DIR:
 * the browser tests use it to give the pages a test double of the host. The build fails when a bundle would
 * reference a Node.js built-in or any module left outside it.
 */

import { copyFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as esbuild from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const VIEWS = ["section", "tab"];

/**
 * Node.js built-ins and the HTTP client are left out of the resolution: the gate's public entry also exports its
 * Node.js parts, and the packages' `"sideEffects": false` lets esbuild drop every module the views do not use.
 * Whatever is still referenced after that fails the build below.
 */
const NODE_ONLY = ["node:*", "undici"];

async function reportCss() {
  const bundle = await esbuild.build({
    stdin: {
      contents: 'export { REPORT_CSS } from "@qualys-connector/gate";',
      resolveDir: here,
      loader: "ts",
    },
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    external: NODE_ONLY,
    logLevel: "silent",
  });
  const code = bundle.outputFiles[0]?.text ?? "";
  const module = await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
  return module.REPORT_CSS;
}

/** Builds the views into `out`; `sdk` is a folder of SDK stand-ins (tests only). Returns the files written. */
export async function buildWeb({ out = path.resolve(here, "../dist/web"), sdk } = {}) {
  await mkdir(out, { recursive: true });
  const alias =
    sdk === undefined
      ? undefined
      : {
          "azure-devops-extension-sdk": path.join(sdk, "sdk.ts"),
          "azure-devops-extension-api/Build": path.join(sdk, "build.ts"),
          "azure-devops-extension-api": path.join(sdk, "api.ts"),
        };
  const result = await esbuild.build({
    entryPoints: VIEWS.map((view) => path.join(here, "src", `${view}.ts`)),
    outdir: out,
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    minify: true,
    legalComments: "none",
    metafile: true,
    external: NODE_ONLY,
    logLevel: "warning",
    ...(alias === undefined ? {} : { alias }),
  });
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const left = output.imports.filter((entry) => entry.external).map((entry) => entry.path);
    if (left.length > 0)
      throw new Error(`${file} still references ${left.join(", ")}: a Node.js module reached the views`);
  }
  const css = `${await reportCss()}\n${await import("node:fs/promises").then((fs) => fs.readFile(path.join(here, "src", "views.css"), "utf8"))}`;
  const written = [];
  for (const view of VIEWS) {
    await copyFile(path.join(here, "src", `${view}.html`), path.join(out, `${view}.html`));
    await writeFile(path.join(out, `${view}.css`), css);
    written.push(`${view}.html`, `${view}.js`, `${view}.css`);
  }
  return written.map((name) => path.join(out, name));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: "string" }, sdk: { type: "string" } } });
  const files = await buildWeb({
    ...(values.out === undefined ? {} : { out: path.resolve(values.out) }),
    ...(values.sdk === undefined ? {} : { sdk: path.resolve(values.sdk) }),
  });
  for (const file of files) console.log(path.relative(process.cwd(), file));
}
