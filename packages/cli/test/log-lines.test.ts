/**
 * The final `error:` line quotes what a server answered, so it is escaped like every log line: a hostile answer
 * cannot clear the terminal, start a new line or form a CI workflow command.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatChecks } from "../src/commands/doctor.js";
import { spawnCli } from "./spawn-cli.js";

const HOSTILE_TEXT = "busy\u009b2J\r\n::error::pwned\n##vso[task.complete result=Succeeded]done\u202e";

let server: Server;
let url = "";
beforeAll(async () => {
  // Every call gets a VM v2 SIMPLE_RETURN with an API error code and the hostile text.
  server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/xml" });
    response.end(
      `<?xml version="1.0" encoding="UTF-8"?><SIMPLE_RETURN><RESPONSE><DATETIME>2026-01-01T00:00:00Z</DATETIME><CODE>999</CODE><TEXT><![CDATA[${HOSTILE_TEXT}]]></TEXT></RESPONSE></SIMPLE_RETURN>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("the final error line", () => {
  it("shows a server's hostile text escaped, on one line", async () => {
    const run = await spawnCli(["kb", "show", "6", "--max-retries", "0"], {
      QUALYS_API_URL: url,
      QUALYS_USERNAME: "user",
      QUALYS_PASSWORD: "password",
    });
    expect(run.code).toBe(3);
    // The XML parser reads CR LF as LF (XML 1.0 section 2.11).
    expect(run.stderr.replace(/127\.0\.0\.1:\d+/, "127.0.0.1:PORT")).toBe(
      "error: Qualys refused POST http://127.0.0.1:PORT/api/2.0/fo/knowledge_base/vuln/: 999 busy\\x9b2J\\x0a::error::pwned\\x0a\\x23#vso[task.complete result=Succeeded]done\\u202e\n",
    );
    expect(run.stderr.split("\n")).toHaveLength(2);
  });
});

describe("usage errors from the argument parser", () => {
  it("quote a hostile argument escaped; their own line breaks stay, and no line forms a workflow command", async () => {
    const run = await spawnCli(["kb", "show", "6", "--\u001b[2J\n::error::x"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      "error: unknown option '--\\x1b[2J\n\\x3a:error::x'\n(run with --help for usage)\n",
    );
  });
});

describe("doctor's check lines", () => {
  it("show a detail quoted from a server escaped, and keep the remedy on its own line", () => {
    expect(
      formatChecks([
        {
          name: "API server",
          status: "failed",
          ok: false,
          detail: "HTTP 502: \u001b]8;;https://evil.example/\u0007x\n::error::y",
          remedy: "check the URL",
        },
        { name: "clock", status: "passed", ok: true, detail: "##vso[task.complete]\u202e" },
      ]),
    ).toBe(
      [
        "✗ API server: HTTP 502: \\x1b]8;;https://evil.example/\\x07x\\x0a::error::y",
        "    remedy: check the URL",
        "✓ clock: \\x23#vso[task.complete]\\u202e",
      ].join("\n"),
    );
  });
});
