// Regenerates the golden files of `qualys-connector pipeline-snippet` (packages/cli/test/golden/pipeline-snippet),
// one per CI system, gate and form (the native step, and the shell form of --shell), by running the CLI as packages/cli/test/pipeline-snippet.test.ts does:
//   npx tsx scripts/update-pipeline-snippet-golden.ts
// The test only compares; run this after a deliberate change to the snippets and review the diff.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
// The CLI package's entry does not export the example flags; this repository script may reach into its source.
import {
  CI_SYSTEMS,
  GATES,
  PIPELINE_SNIPPET_EXAMPLES,
} from "../packages/cli/src/commands/pipeline-snippet.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = path.join(root, "packages/cli/src/bin.ts");
const goldenDir = path.join(root, "packages/cli/test/golden/pipeline-snippet");

// Without the caller's Qualys variables: the snippet must not depend on them (the test checks it does not).
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("QUALYS_")));

mkdirSync(goldenDir, { recursive: true });
for (const form of ["native", "shell"] as const)
  for (const ci of CI_SYSTEMS) {
    for (const gate of GATES) {
      const output = execFileSync(
        process.execPath,
        [
          "--import",
          "tsx",
          bin,
          "pipeline-snippet",
          ...(form === "shell" ? ["--shell"] : []),
          "--ci",
          ci,
          "--gate",
          gate,
          "--",
          ...PIPELINE_SNIPPET_EXAMPLES[gate],
        ],
        { cwd: root, env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
      );
      const suffix = form === "shell" ? ".shell" : "";
      const file = path.join(goldenDir, `${ci}-${gate}${suffix}.${ci === "jenkins" ? "groovy" : "yml"}`);
      writeFileSync(file, output);
      console.log(`wrote ${path.relative(root, file)}`);
    }
  }
