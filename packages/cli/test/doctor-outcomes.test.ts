/**
 * `doctor` says what it observed: each check passed (✓), failed (✗, with a remedy that fits the failure) or was
 * not made (-, with the reason). Small 127.0.0.1 servers stand in front of the simulator and spoil one answer.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { type RunningSimulator, startSimulator } from "@qualys-connector/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, spawnCli as run } from "./spawn-cli.js";

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

interface Front {
  url: string;
  close(): Promise<void>;
}

const BOMB = `<?xml version="1.0"?>
<!DOCTYPE SCAN_LIST_OUTPUT [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<SCAN_LIST_OUTPUT><RESPONSE><DATETIME>&d;&d;&d;&d;&d;&d;&d;&d;</DATETIME></RESPONSE></SCAN_LIST_OUTPUT>`;

function plainHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || ["host", "connection", "content-length"].includes(key)) continue;
    out[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/**
 * A server that forwards every request to the simulator, except those `spoil` answers itself. With `bare`, the
 * answers carry neither a Date header nor Qualys' limit headers.
 */
async function front(
  target: string,
  spoil: (method: string, path: string) => Answer | undefined,
  bare = false,
): Promise<Front> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      if (bare) res.sendDate = false;
      const own = spoil(req.method ?? "GET", (req.url ?? "/").split("?")[0] ?? "/");
      if (own) {
        res.writeHead(own.status, own.headers ?? {});
        res.end(own.body);
        return;
      }
      const body = Buffer.concat(chunks);
      const upstream = await fetch(`${target}${req.url ?? "/"}`, {
        method: req.method ?? "GET",
        headers: plainHeaders(req.headers),
        ...(req.method === "GET" || req.method === "HEAD" ? {} : { body }),
        redirect: "manual",
      });
      const headers: Record<string, string> = {};
      upstream.headers.forEach((value, key) => {
        if (
          ["content-length", "transfer-encoding", "content-encoding", "connection", "keep-alive"].includes(
            key,
          )
        )
          return;
        if (bare && (key === "date" || key.startsWith("x-ratelimit") || key.startsWith("x-concurrency")))
          return;
        headers[key] = value;
      });
      res.writeHead(upstream.status, headers);
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const BASIC = { QUALYS_USERNAME: "sim_user", QUALYS_PASSWORD: "sim-password" };

/** The line of one check. */
function line(result: CliResult, name: string): string {
  return result.stdout.split("\n").find((l) => l.slice(2).startsWith(`${name}:`)) ?? "";
}

function remedyAfter(result: CliResult, name: string): string {
  const lines = result.stdout.split("\n");
  const at = lines.findIndex((l) => l.slice(2).startsWith(`${name}:`));
  const next = lines[at + 1] ?? "";
  return next.trimStart().startsWith("remedy:") ? next : "";
}

describe("doctor outcomes", () => {
  let sim: RunningSimulator;
  const fronts: Front[] = [];
  const through = async (spoil: (method: string, path: string) => Answer | undefined, bare = false) => {
    const f = await front(sim.url, spoil, bare);
    fronts.push(f);
    return f.url;
  };
  beforeAll(async () => {
    sim = await startSimulator({ webapps: 2, findingsPerWebapp: 1, hosts: 1, kbSize: 50 });
  });
  afterAll(async () => {
    for (const f of fronts) await f.close();
    await sim.close();
  });

  it("over plain http it says so, and that no proxy was used", async () => {
    const result = await run(["doctor", "--api-url", sim.url], BASIC);
    expect(result.code).toBe(0);
    expect(line(result, "reachability")).toBe(
      "✓ reachability: the API server answered (HTTP 200), over plain http (not encrypted), directly (no proxy)",
    );
    expect(result.stdout).not.toContain("TLS");
  });

  it("through a proxy it names the proxy it used", async () => {
    // An HTTP CONNECT proxy on 127.0.0.1 that tunnels to the simulator and counts the tunnels it opened.
    let tunnels = 0;
    const proxy = createServer();
    proxy.on("connect", (req, client: Socket, head: Buffer) => {
      tunnels += 1;
      const [host = "127.0.0.1", port = "0"] = (req.url ?? "").split(":");
      const upstream = connect(Number(port), host, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const where = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const result = await run(
        ["doctor", "--api-url", sim.url, "--proxy", `http://user:secret@${where}`],
        BASIC,
      );
      expect(line(result, "reachability")).toBe(
        `✓ reachability: the API server answered (HTTP 200), over plain http (not encrypted), through the proxy ${where}`,
      );
      expect(result.stdout).not.toContain("secret");
      expect(result.code).toBe(0);
      expect(tunnels).toBeGreaterThan(0);
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it("an expired account is told apart from wrong credentials", async () => {
    const result = await run(["doctor", "--api-url", sim.url, "--username", "sim_expired"], BASIC);
    expect(result.code).toBe(3);
    expect(line(result, "credentials")).toBe(
      "✗ credentials: the Qualys account has expired or is deactivated (the password itself was accepted)",
    );
    expect(remedyAfter(result, "credentials")).toContain("reactivate the account");
    expect(result.stdout).not.toContain("refused the credentials");
    expect(line(result, "WAS access")).toBe("- WAS access: not checked (the account has expired)");
  });

  it.each([
    ["an empty 200", { status: 200, headers: { "content-type": "text/xml" }, body: "" }],
    [
      "malformed XML",
      { status: 200, headers: { "content-type": "text/xml" }, body: "<SCAN_LIST_OUTPUT><RESP" },
    ],
    ["an entity bomb", { status: 200, headers: { "content-type": "text/xml" }, body: BOMB }],
    ["another document", { status: 200, headers: { "content-type": "text/xml" }, body: "<HELLO/>" }],
  ])("%s on the VM path is a failed VM check with a parse remedy", async (_what, answer) => {
    const url = await through((method, path) =>
      method === "POST" && path === "/api/2.0/fo/scan/" ? answer : undefined,
    );
    const result = await run(["doctor", "--api-url", url, "--max-retries", "0"], BASIC);
    expect(result.code).toBe(3);
    expect(line(result, "VM access")).toMatch(/^✗ VM access: /);
    expect(remedyAfter(result, "VM access")).toContain("not as the Qualys API does");
    expect(remedyAfter(result, "VM access")).not.toContain("give the user");
    expect(line(result, "WAS access")).toMatch(/^✓ WAS access/);
    expect(line(result, "KnowledgeBase access")).toMatch(/^✓ KnowledgeBase access/);
  });

  it("a redirect fails reachability with its own remedy; the rest is not checked", async () => {
    const url = await through(() => ({
      status: 302,
      headers: { location: "https://portal.example/login" },
      body: "",
    }));
    const result = await run(["doctor", "--api-url", url, "--max-retries", "0"], BASIC);
    expect(result.code).toBe(3);
    expect(line(result, "reachability")).toBe(
      "✗ reachability: the server answered HTTP 302, a redirect to https://portal.example/login",
    );
    expect(remedyAfter(result, "reachability")).toContain("--api-url must be the Qualys API server URL");
    expect(result.stdout).not.toContain("malformed");
    for (const name of ["credentials", "WAS access", "VM access", "KnowledgeBase access", "API limits"])
      expect(line(result, name)).toBe(`- ${name}: not checked (the API server answered with a redirect)`);
  });

  it("with OAuth, the clock is measured from the token call and Bearer answers", async () => {
    const result = await run(["doctor", "--api-url", sim.url, "--auth", "oauth"], {
      QUALYS_CLIENT_ID: "sim-client-id",
      QUALYS_CLIENT_SECRET: "sim-client-secret",
    });
    expect(result.code).toBe(0);
    expect(line(result, "clock")).toMatch(/^✓ clock: local clock [+-]\d+ s against the server$/);
  });

  it("refused OAuth client credentials: the remedy is about the client, and the gateway answered", async () => {
    const result = await run(["doctor", "--api-url", sim.url, "--auth", "oauth"], {
      QUALYS_CLIENT_ID: "sim-client-id",
      QUALYS_CLIENT_SECRET: "not-the-secret",
    });
    expect(result.code).toBe(3);
    expect(line(result, "reachability")).toMatch(/^✓ reachability: the gateway answered \(HTTP 401\)/);
    expect(remedyAfter(result, "credentials")).toContain("QUALYS_CLIENT_SECRET");
    expect(remedyAfter(result, "credentials")).not.toContain("password");
    expect(result.stdout).not.toContain("not-the-secret");
  });

  it("checks that could not be made are never ✓", async () => {
    const url = await through(() => undefined, true);
    const result = await run(["doctor", "--api-url", url], BASIC);
    expect(line(result, "clock")).toBe(
      "- clock: not checked (no answer carried a Date header, so the skew was not measured)",
    );
    expect(line(result, "API limits")).toMatch(/^- API limits: not checked/);
    expect(line(result, "credentials")).toMatch(/^✓ credentials/);
    // Nothing failed, so doctor passes; the JSON says which checks were not made.
    expect(result.code).toBe(0);
    const json = await run(["doctor", "--api-url", url, "--format", "json"], BASIC);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      checks: { name: string; status: string; ok: boolean }[];
    };
    expect(report.checks.find((c) => c.name === "clock")).toMatchObject({ status: "not checked", ok: false });
  });
});
