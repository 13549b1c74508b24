/**
 * The committed bundle is what the sources build to (CI fails otherwise: .ci/run rebuilds and compares too), and
 * action.yml declares exactly the inputs the action reads and the outputs it sets.
 */

import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildAction, PACKAGE_DIR } from "../scripts/build-action.js";
import { temporaryDir } from "./action-process.js";

const temp = temporaryDir();
afterAll(() => temp.remove());

interface ActionYml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}
const actionYml = parse(readFileSync(path.join(PACKAGE_DIR, "action.yml"), "utf8")) as ActionYml;
const sources = ["src/main.ts", "src/inputs.ts"].map((file) =>
  readFileSync(path.join(PACKAGE_DIR, file), "utf8"),
);

describe("the GitHub Action's committed files", () => {
  it("dist/ is byte for byte what `npm run build:github-action` builds now", async () => {
    const outDir = path.join(temp.dir, "dist");
    await buildAction(outDir);
    for (const file of ["index.js", "package.json"]) {
      const built = readFileSync(path.join(outDir, file));
      const committed = readFileSync(path.join(PACKAGE_DIR, "dist", file));
      expect(
        built.equals(committed),
        `dist/${file} is stale: run npm run build:github-action and commit it`,
      ).toBe(true);
    }
  });

  it("the bundle holds no absolute path of the machine that built it", () => {
    const bundle = readFileSync(path.join(PACKAGE_DIR, "dist", "index.js"), "utf8");
    expect(bundle).not.toContain(path.resolve(PACKAGE_DIR, "..", ".."));
  });

  it("action.yml runs the bundle on node24 and declares every input the action reads, and no other", () => {
    expect(actionYml.runs).toEqual({ using: "node24", main: "dist/index.js" });
    const read = new Set<string>();
    for (const text of sources) {
      for (const match of text.matchAll(
        /(?:readInput\(env, |given\(|listInput\(env, |booleanInput\(env, |pathInput\(env, )"([a-z0-9-]+)"/g,
      ))
        read.add(match[1] ?? "");
      for (const match of text.matchAll(/"INPUT_([A-Z0-9-]+)"|env\.INPUT_([A-Z0-9]+)/g)) read.add((match[1] ?? match[2] ?? "").toLowerCase());
    }
    expect([...read].sort()).toEqual(Object.keys(actionYml.inputs).sort());
  });

  it("action.yml declares every output the action sets", () => {
    const main = sources[0] ?? "";
    const set = new Set([...main.matchAll(/\["([a-z-]+)", /g)].map((m) => m[1]));
    expect([...set].sort()).toEqual(Object.keys(actionYml.outputs).sort());
  });
});
