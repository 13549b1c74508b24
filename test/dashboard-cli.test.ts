/**
 * `qualys-connector dashboard` from the CLI bundle: it serves the store with the assets compiled into the bundle
 * (what an installed tarball runs), stops cleanly on SIGTERM, refuses a missing database without creating it, and
 * off loopback prints the generated token once and refuses a request without it.
 */

import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sampleStore } from "../packages/dashboard/test/sample-store.js";
import { runCliProcess, startCliProcess } from "./cli-process.js";

/** Start the dashboard and hand `work` its first stdout lines once the listening line is out. */
async function withDashboard(args: string[], work: (stdout: string) => Promise<void>) {
  let started: (text: string) => void = () => undefined;
  const ready = new Promise<string>((resolve) => {
    started = resolve;
  });
  const run = startCliProcess(["dashboard", ...args, "--port", "0"], {
    onStdout: (soFar) => {
      if (
        /Stop with Ctrl-C\.\n/.test(soFar) &&
        (!args.includes("0.0.0.0") || /token is shown only now\)\n/.test(soFar))
      )
        started(soFar);
    },
  });
  const early = run.done.then((result) => {
    throw new Error(`the dashboard exited early: ${result.stderr}`);
  });
  try {
    await work(await Promise.race([ready, early]));
  } finally {
    run.child.kill("SIGTERM");
  }
  const result = await run.done;
  expect(result.code).toBe(0);
  return result;
}

describe("qualys-connector dashboard", () => {
  it("serves every page and its assets from the bundle, read-only, and stops on SIGTERM", async () => {
    const file = await sampleStore();
    await withDashboard(["--db", file], async (stdout) => {
      const url = /^Qualys Connector dashboard on (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(stdout)?.[1];
      expect(url).toBeDefined();
      for (const page of [
        "",
        "applications",
        "findings",
        "gate-runs",
        "assets/dashboard.css",
        "assets/report.css",
        "assets/dashboard.js",
      ]) {
        const response = await fetch(`${url}${page}`);
        expect(response.status, page).toBe(200);
        expect((await response.text()).length).toBeGreaterThan(100);
      }
    });
  });

  it("refuses a missing database, naming --db, and creates nothing", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "qc-dashboard-cli-"));
    const missing = path.join(dir, "none.db");
    const result = await runCliProcess(["dashboard", "--db", missing, "--port", "0"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`--db ${missing}: no database there`);
    expect(existsSync(missing)).toBe(false);
  });

  it("off loopback prints a generated token once and refuses a request without it", async () => {
    const file = await sampleStore();
    await withDashboard(["--db", file, "--host", "0.0.0.0"], async (stdout) => {
      const link = /^Open (http:\/\/\S+\?token=([A-Za-z0-9_-]{32})) \(the token is shown only now\)$/m.exec(
        stdout,
      );
      expect(link).not.toBeNull();
      const port = /:(\d+)\//.exec(link?.[1] ?? "")?.[1];
      expect((await fetch(`http://127.0.0.1:${port}/findings`)).status).toBe(401);
      const first = await fetch(`http://127.0.0.1:${port}/findings?token=${link?.[2]}`, {
        redirect: "manual",
      });
      expect(first.status).toBe(303);
      const cookie = (first.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      expect((await fetch(`http://127.0.0.1:${port}/findings`, { headers: { cookie } })).status).toBe(200);
    });
  });
});
