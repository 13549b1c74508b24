/**
 * Hostile sizes end to end: a web app whose name is two million characters reaches neither the console nor the
 * database raw; `was webapps list` prints it cut and `sync` stores it cut, each with a warning naming the endpoint
 * and field.
 */

import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { MAX_NAME_CHARS } from "@qualys-connector/client";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "./spawn-cli.js";

let server: Server;
let url = "";
const LONG = 2_000_000;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          ServiceResponse: {
            responseCode: "SUCCESS",
            count: 1,
            hasMoreRecords: "false",
            data: [{ WebApp: { id: 7, name: "n".repeat(LONG), url: "https://shop.example/" } }],
          },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("over-long names", () => {
  it("`was webapps list` prints a two-million-character name cut, with a warning", async () => {
    const run = await spawnCli(
      ["was", "webapps", "list", "--format", "json"],
      { QUALYS_API_URL: url, QUALYS_USERNAME: "u", QUALYS_PASSWORD: "not-in-any-url" },
      "",
    );
    expect(run.code, run.stderr.slice(0, 500)).toBe(0);
    const rows = JSON.parse(run.stdout) as { name: string }[];
    expect(rows[0]?.name).toBe(`${"n".repeat(MAX_NAME_CHARS)}… [cut from ${LONG} characters]`);
    expect(run.stderr).toContain(
      `warning: POST /qps/rest/3.0/search/was/webapp WebApp: field name is ${LONG} characters long; kept the first ${MAX_NAME_CHARS}`,
    );
  });
});

describe("over-long names in a sync", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, webapps: 2, findingsPerWebapp: 1, hosts: 0 });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("`sync --objects webapps` stores a two-million-character name cut, and says so", async () => {
    const webApp = [...sim.control.world.webApps.values()].find((w) => w.scenario === null);
    if (!webApp) throw new Error("the simulator world has no generated web app");
    webApp.name = "n".repeat(LONG);
    const dir = mkdtempSync(path.join(tmpdir(), "qc-field-caps-"));
    const db = `sqlite:${path.join(dir, "qualys.db")}`;
    const env = { QUALYS_API_URL: sim.url, QUALYS_USERNAME: "sim_user", QUALYS_PASSWORD: "sim-password" };
    const synced = await spawnCli(["sync", "--db", db, "--objects", "webapps"], env);
    expect(synced.code, synced.stderr.slice(0, 500)).toBe(0);
    expect(synced.stderr).toContain(
      `field name is ${LONG} characters long; kept the first ${MAX_NAME_CHARS}`,
    );
    const exported = await spawnCli(["export", "--db", db, "--object", "webapps"], env);
    expect(exported.code, exported.stderr.slice(0, 500)).toBe(0);
    const names = exported.stdout
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => (JSON.parse(line) as { name: string }).name);
    expect(names).toContain(`${"n".repeat(MAX_NAME_CHARS)}… [cut from ${LONG} characters]`);
    expect(Math.max(...names.map((n) => n.length))).toBeLessThan(MAX_NAME_CHARS + 40);
  });
});
