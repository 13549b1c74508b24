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
const sources = ["src/run-action.ts", "src/inputs.ts"].map((file) =>
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
      for (const match of text.matchAll(/"INPUT_([A-Z0-9-]+)"|env\.INPUT_([A-Z0-9]+)/g))
        read.add((match[1] ?? match[2] ?? "").toLowerCase());
    }
    expect([...read].sort()).toEqual(Object.keys(actionYml.inputs).sort());
  });

  it("action.yml declares every output the action sets", () => {
    const main = sources[0] ?? "";
    const set = new Set([...main.matchAll(/\["([a-z-]+)", /g)].map((m) => m[1]));
    expect([...set].sort()).toEqual(Object.keys(actionYml.outputs).sort());
  });
});

/** A GitHub expression as written in a workflow: `${{ … }}`. */
const expression = (inner: string) => `\${{ ${inner} }}`;

describe("examples/was-scan.yml", () => {
  const example = parse(readFileSync(path.join(PACKAGE_DIR, "examples", "was-scan.yml"), "utf8")) as {
    jobs: Record<
      string,
      { steps: { id?: string; uses?: string; if?: string; with?: Record<string, unknown> }[] }
    >;
  };
  const steps = Object.values(example.jobs).flatMap((job) => job.steps);
  const text = readFileSync(path.join(PACKAGE_DIR, "examples", "was-scan.yml"), "utf8");

  it("gives the action only inputs it declares, and reads only outputs it sets", () => {
    const step = steps.find((s) => s.uses?.includes("/integrations/github-action@"));
    expect(step?.uses).toBe("OWNER/qualys-connector/integrations/github-action@REF");
    for (const input of Object.keys(step?.with ?? {})) expect(Object.keys(actionYml.inputs)).toContain(input);
    const read = [...text.matchAll(/steps\.qualys\.outputs\.([a-z-]+)/g)].map((m) => m[1]);
    expect(read.length).toBeGreaterThan(0);
    for (const output of read) expect(Object.keys(actionYml.outputs)).toContain(output);
  });

  it("uploads the SARIF and archives the report whatever the verdict", () => {
    const sarif = steps.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"));
    const artifact = steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(sarif?.if).toMatch(/^always\(\)/);
    expect(sarif?.with?.sarif_file).toBe(expression("steps.qualys.outputs.sarif-path"));
    expect(artifact?.if).toMatch(/^always\(\)/);
    expect(artifact?.with?.path).toBe(expression("steps.qualys.outputs.report-dir"));
  });
});
