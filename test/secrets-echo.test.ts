/**
 * No secret leaves the process, even when the server (or a proxy) echoes every request header, a JSON body with
 * "authorization"/"clientSecret"/"password" members and the form fields in its error answers: not on the CLI's
 * stdout or stderr (an inventory command, both gates, the sync, the Airbyte source), not in a gate output file
 * or a recorded gate run (`--db`), not in the store's sync_runs errors (SQLite, and PostgreSQL with PG_URL), not in an Airbyte TRACE message.
 */

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EchoServer, startEchoServer } from "./echo-server.js";
import { type CliRun, startCli, tempDir } from "./gate-e2e.js";
import { openMigrated, PG_SKIP_MESSAGE, PG_URL, STORE_KINDS } from "./sync-stores.js";

if (!PG_URL) console.warn(PG_SKIP_MESSAGE);

const USER = "alice";
// ':' is legal in a Basic password after the first one; '/', ' ', '&', '=', '%' and 'é' change under URL-encoding.
const PASSWORD = "Pa:ss/w rd&é=1%";
const PROXY_USER = "puser";
const PROXY_PASSWORD = "pr:oxy/pw é";
const CLIENT_ID = "client-id-1";
const CLIENT_SECRET = "cs-7Hq:9/zz+Wq é";
// A gateway token that is not a JWT (no "eyJ"), so only knowing it can mask it.
const TOKEN = "opaqueTok.K9x2mQ7pL4.sig-55aa";
const SESSION = "sess0a1b2c3d4e5f6a7b";

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const form = (text: string) => new URLSearchParams({ v: text }).toString().slice(2);

/** Every encoding of every secret we send. */
const FORBIDDEN: Record<string, string> = {
  password: PASSWORD,
  "URL-encoded password": encodeURIComponent(PASSWORD),
  "form-encoded password": form(PASSWORD),
  "base64 of user:password": base64(`${USER}:${PASSWORD}`),
  "start of the base64 of user:password": base64(`${USER}:${PASSWORD}`).slice(0, 16),
  "proxy password": PROXY_PASSWORD,
  "URL-encoded proxy password": encodeURIComponent(PROXY_PASSWORD),
  "base64 of the proxy's user:password": base64(`${PROXY_USER}:${PROXY_PASSWORD}`),
  "bearer token": TOKEN,
  "session cookie": SESSION,
  "OAuth client secret": CLIENT_SECRET,
  "URL-encoded client secret": encodeURIComponent(CLIENT_SECRET),
};

function expectNoSecret(where: string, text: string): void {
  for (const [what, value] of Object.entries(FORBIDDEN))
    expect(text.includes(value), `${what} in ${where}`).toBe(false);
}

/** The output shows the echo reached it (masked), so the absence of secrets means something. */
function expectMaskedEcho(where: string, text: string): void {
  expect(text, where).toContain("request rejected");
  expect(text, where).toContain("[REDACTED]");
}

let server: EchoServer;

beforeAll(async () => {
  server = await startEchoServer({ session: SESSION, token: TOKEN });
});
beforeEach(() => {
  server.reset();
});
afterAll(async () => {
  await server?.close();
});

function basicEnv(): Record<string, string> {
  return { QUALYS_API_URL: server.url, QUALYS_USERNAME: USER, QUALYS_PASSWORD: PASSWORD };
}

const proxy = () => ["--proxy", server.proxyUrl(PROXY_USER, PROXY_PASSWORD)];

function expectCleanRun(name: string, run: CliRun): void {
  expectNoSecret(`${name} stderr`, run.stderr);
  expectNoSecret(`${name} stdout`, run.stdout);
}

describe("a server that echoes the credentials back", () => {
  it("inventory (Basic through an authenticating proxy): stderr and stdout", async () => {
    const run = await startCli(["was", "webapps", "list", "--max-retries", "0", ...proxy()], basicEnv());
    expect(run.code).toBe(3);
    expectMaskedEcho("stderr", run.stderr);
    // The proxy was used and its credentials were echoed (masked).
    expect(run.stderr).toContain("proxy-authorization: Basic [REDACTED]");
    expectCleanRun("was webapps list", run);
  });

  it("inventory (OAuth client credentials, Bearer token): stderr and stdout", async () => {
    const run = await startCli(
      [
        ...["was", "webapps", "list", "--auth", "oauth", "--gateway-url", server.url, "--max-retries", "0"],
        ...proxy(),
      ],
      { QUALYS_API_URL: server.url, QUALYS_CLIENT_ID: CLIENT_ID, QUALYS_CLIENT_SECRET: CLIENT_SECRET },
    );
    expect(run.code).toBe(3);
    expectMaskedEcho("stderr", run.stderr);
    expect(server.requests).toContain("POST /auth/oidc");
    expectCleanRun("was webapps list --auth oauth", run);
  });

  for (const gate of ["was", "vm"] as const) {
    it(`scan ${gate}: console and every output file`, async () => {
      const dir = tempDir(`secrets-${gate}-`);
      const target = gate === "was" ? ["--webapp", "1"] : ["--ip", "10.0.0.1"];
      const location = `sqlite:${path.join(dir, "gate-runs.db")}`;
      const run = await startCli(
        ["scan", gate, ...target, "--max-retries", "0", "--report-dir", dir, "--db", location, ...proxy()],
        basicEnv(),
      );
      expect(run.code).toBe(3);
      expectCleanRun(`scan ${gate}`, run);
      for (const file of ["result.json", "junit.xml", "results.sarif", "summary.md", "report.html"]) {
        const text = readFileSync(path.join(dir, file), "utf8");
        expectNoSecret(file, text);
        expect(text, file).toContain("REDACTED");
      }
      const result = JSON.parse(readFileSync(path.join(dir, "result.json"), "utf8")) as {
        verdict: string;
        error?: { message: string };
      };
      expect(result.verdict).toBe("error");
      expectMaskedEcho("result.json error", result.error?.message ?? "");
      // The VM gate logs in with a session (form-encoded password) and echoes its cookie.
      if (gate === "vm") expect(result.error?.message).toContain("QualysSession=[REDACTED]");
      // --db: the recorded run (an error verdict) holds the same redacted result file.
      const store = await openMigrated(location);
      try {
        const [recorded] = await store.listGateRuns({ limit: 10 });
        expect(recorded?.verdict).toBe("error");
        const stored = (await store.getGateRun(recorded?.id ?? 0))?.resultJson ?? "";
        expectNoSecret("gate_runs result_json", stored);
        expectMaskedEcho("gate_runs result_json", stored);
      } finally {
        await store.close();
      }
    });
  }

  for (const kind of STORE_KINDS) {
    it(`sync into ${kind.name}: console and the stored run errors`, async () => {
      const location = await kind.create();
      try {
        const run = await startCli(
          ["sync", "--db", location, "--objects", "webapps", "--max-retries", "0", ...proxy()],
          basicEnv(),
        );
        expect(run.code).toBe(3);
        expectCleanRun("sync", run);
        const store = await openMigrated(location);
        try {
          const runs = await store.runs();
          expect(runs.map((r) => r.status)).toEqual(["failed"]);
          const errors = runs.flatMap((r) => r.errors).join("\n");
          expectMaskedEcho("sync_runs errors", errors);
          expectNoSecret("sync_runs errors", errors);
        } finally {
          await store.close();
        }
      } finally {
        await kind.cleanup();
      }
    });
  }

  it("airbyte read: TRACE messages on stdout, and stderr", async () => {
    const dir = tempDir("secrets-airbyte-");
    const config = path.join(dir, "config.json");
    const catalog = path.join(dir, "catalog.json");
    writeFileSync(
      config,
      JSON.stringify({ api_url: server.url, username: USER, password: PASSWORD, max_retries: 0 }),
    );
    writeFileSync(
      catalog,
      JSON.stringify({
        streams: [
          {
            stream: { name: "webapps", json_schema: {}, supported_sync_modes: ["full_refresh"] },
            sync_mode: "full_refresh",
            destination_sync_mode: "overwrite",
          },
        ],
      }),
    );
    const run = await startCli(["airbyte", "read", "--config", config, "--catalog", catalog], {});
    expect(run.code).toBe(3);
    const traces = run.stdout
      .trim()
      .split("\n")
      .map(
        (line) => JSON.parse(line) as { type: string; trace?: { type: string; error?: { message: string } } },
      )
      .filter((m) => m.type === "TRACE" && m.trace?.type === "ERROR");
    expect(traces).toHaveLength(1);
    expectMaskedEcho("TRACE", traces[0]?.trace?.error?.message ?? "");
    expectCleanRun("airbyte read", run);
  });
});
