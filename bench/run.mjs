#!/usr/bin/env node
// Runs every bench/*.bench.ts (or those named on the command line) in its own process; each prints one line per figure.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const dir = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
let failed = 0;
for (const script of scripts) {
  const result = spawnSync(process.execPath, ["--import", "tsx", path.join(dir, script)], {
    stdio: "inherit",
  });
  if (result.status !== 0) {
    failed += 1;
    console.error(`${script}: exited ${result.status}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
