/**
 * `qualys-connector sim` in a child process, for benches that must not share the simulator's event loop (its
 * rendering would be measured as the client's time). Resolves once it prints its listening line.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../packages/cli/src/bin.ts");

export interface ChildSimulator {
  url: string;
  /** Stop it and wait for it to exit. */
  stop(): Promise<void>;
}

/** Start the simulator with these `sim` flags (a free port is chosen). */
export async function childSimulator(flags: readonly string[]): Promise<ChildSimulator> {
  const child = spawn(process.execPath, ["--import", "tsx", bin, "sim", "--port", "0", ...flags], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let banner = "";
    child.stdout.on("data", (chunk: Buffer) => {
      banner += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`the simulator exited (${code}) before listening`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
