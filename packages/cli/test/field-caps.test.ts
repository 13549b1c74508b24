/**
 * Hostile sizes end to end: a web app whose name is two million characters reaches neither the console nor any
 * output raw; `was webapps list` prints it cut, with a warning naming the endpoint and field.
 */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MAX_NAME_CHARS } from "@qualys-connector/client";
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
      { dist: true },
    );
    expect(run.code, run.stderr.slice(0, 500)).toBe(0);
    const rows = JSON.parse(run.stdout) as { name: string }[];
    expect(rows[0]?.name).toBe(`${"n".repeat(MAX_NAME_CHARS)}… [cut from ${LONG} characters]`);
    expect(run.stderr).toContain(
      `warning: POST /qps/rest/3.0/search/was/webapp WebApp: field name is ${LONG} characters long; kept the first ${MAX_NAME_CHARS}`,
    );
  });
});
