import { describe, expect, it } from "vitest";
import {
  basicAuthorization,
  type ClientEvent,
  createQualysClient,
  jwtExpiry,
  QualysAuthError,
  TOKEN_REFRESH_MARGIN_MS,
} from "../src/index.js";
import { fakeClock, res, routed, scripted, serviceResponse, simpleReturn } from "./fake-transport.js";

const API = "https://qualysapi.qg2.apps.qualys.com";
const GATEWAY = "https://gateway.qg2.apps.qualys.com";
const VERSION_OK = serviceResponse("<Portal-Version><WAS-VERSION>6.13</WAS-VERSION></Portal-Version>", {
  count: 1,
});
const KB_OK =
  "<?xml version='1.0'?><KNOWLEDGE_BASE_VULN_LIST_OUTPUT><RESPONSE><VULN_LIST><VULN><QID>1</QID><TITLE>t</TITLE></VULN></VULN_LIST></RESPONSE></KNOWLEDGE_BASE_VULN_LIST_OUTPUT>";

function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "HS256" })}.${part(claims)}.c2lnbmF0dXJl`;
}

describe("Basic authentication (docs/qualys-api.md 2.1)", () => {
  it("encodes UTF-8, so a password with ':' and 'é' gives the exact bytes", async () => {
    const header = basicAuthorization("qualys_ab", "pa:ss:é");
    const decoded = Buffer.from(header.replace(/^Basic /, ""), "base64");
    // 'é' is two bytes in UTF-8 (0xC3 0xA9); the 'ascii'/latin1 bug would give one (0xE9).
    expect([...decoded]).toEqual([...Buffer.from("qualys_ab:pa:ss:é", "utf8")]);
    expect(decoded.subarray(-2)).toEqual(Buffer.from([0xc3, 0xa9]));
    expect(decoded.toString("utf8").split(":").slice(1).join(":")).toBe("pa:ss:é");
  });

  it("sends the Basic header on WAS and v2 calls, with X-Requested-With on v2 only", async () => {
    const fake = routed({
      "GET /qps/rest/portal/version": res(200, VERSION_OK),
      "POST /api/2.0/fo/knowledge_base/vuln/": res(200, KB_OK),
    });
    const client = createQualysClient({
      apiUrl: API,
      auth: { kind: "basic", username: "u", password: "p:é" },
      transport: fake.transport,
    });
    await client.portal.version();
    for await (const _ of client.kb.list({ ids: [1] })) break;
    const [was, v2] = fake.requests;
    expect(was?.headers.Authorization).toBe(basicAuthorization("u", "p:é"));
    expect(was?.headers["X-Requested-With"]).toBeUndefined();
    expect(v2?.headers.Authorization).toBe(basicAuthorization("u", "p:é"));
    expect(v2?.headers["X-Requested-With"]).toBeTruthy();
    expect(was?.headers["User-Agent"]).toMatch(/^qualys-connector\/\d+\.\d+\.\d+$/);
  });
});

describe("VM v2 session (docs/qualys-api.md 2.2)", () => {
  it("logs in once with a form body, sends the cookie on v2 only, Basic on WAS, and logs out at the end", async () => {
    const fake = scripted([
      res(200, simpleReturn(undefined, "Logged in"), {
        "set-cookie": "QualysSession=abc123def; path=/api; secure",
      }),
      res(200, KB_OK),
      res(200, KB_OK),
      res(200, VERSION_OK),
      res(200, simpleReturn(undefined, "Logged out")),
    ]);
    const client = createQualysClient({
      apiUrl: API,
      auth: { kind: "session", username: "u s", password: "p&w=:é" },
      transport: fake.transport,
    });
    // Two concurrent v2 calls share one login.
    const drain = async () => {
      for await (const _ of client.kb.list({ ids: [1] })) {
      }
    };
    await Promise.all([drain(), drain()]);
    await client.portal.version();
    await client.close();
    await client.close(); // a second close sends nothing
    const [login, kb1, kb2, was, logout] = fake.requests;
    expect(login?.method).toBe("POST");
    expect(login?.url).toBe(`${API}/api/2.0/fo/session/`);
    expect(login?.headers["X-Requested-With"]).toBeTruthy();
    expect(login?.headers.Authorization).toBeUndefined();
    expect(new URLSearchParams(login?.body ?? "").get("password")).toBe("p&w=:é");
    expect(new URLSearchParams(login?.body ?? "").get("action")).toBe("login");
    for (const kb of [kb1, kb2]) {
      expect(kb?.headers.Cookie).toBe("QualysSession=abc123def");
      expect(kb?.headers.Authorization).toBeUndefined();
    }
    expect(was?.headers.Cookie).toBeUndefined();
    expect(was?.headers.Authorization).toBe(basicAuthorization("u s", "p&w=:é"));
    expect(logout?.body).toBe("action=logout");
    expect(logout?.headers.Cookie).toBe("QualysSession=abc123def");
    expect(fake.remaining()).toBe(0);
  });

  it("a refused login (code 2000, HTTP 401) is a QualysAuthError and never shows the password", async () => {
    const fake = scripted([res(401, simpleReturn(2000, "Bad Login/Password"))]);
    const client = createQualysClient({
      apiUrl: API,
      auth: { kind: "session", username: "u", password: "S3cr3t!pw" },
      transport: fake.transport,
    });
    const error = await client.vm.networks().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QualysAuthError);
    expect((error as QualysAuthError).reason).toBe("credentials");
    expect(String((error as Error).message)).not.toContain("S3cr3t");
  });

  it("an expired session is dropped and the call logs in again once", async () => {
    const fake = scripted([
      res(200, "", { "set-cookie": "QualysSession=first; path=/api" }),
      res(401, simpleReturn(2000, "Bad Login/Password")),
      res(200, "", { "set-cookie": "QualysSession=second; path=/api" }),
      res(200, KB_OK),
    ]);
    const client = createQualysClient({
      apiUrl: API,
      auth: { kind: "session", username: "u", password: "p" },
      transport: fake.transport,
    });
    const qids: unknown[] = [];
    for await (const vuln of client.kb.list({ ids: [1] })) qids.push(vuln.QID);
    expect(qids).toEqual(["1"]);
    expect(fake.requests[3]?.headers.Cookie).toBe("QualysSession=second");
  });
});

describe("gateway tokens (docs/qualys-api.md 2.3)", () => {
  it("username/password: POST {gateway}/auth with token=true, HTTP 201 JWT, Bearer + request-source on WAS", async () => {
    const token = jwt({ sub: "u" });
    const fake = routed({
      "POST /auth": res(201, token, { "content-type": "text/plain" }),
      "GET /qps/rest/portal/version": res(200, VERSION_OK),
    });
    const client = createQualysClient({
      platform: "US2",
      auth: { kind: "jwt", username: "u", password: "p:é" },
      transport: fake.transport,
    });
    await client.portal.version();
    const [auth, was] = fake.requests;
    expect(auth?.url).toBe(`${GATEWAY}/auth`);
    expect(auth?.headers["Content-Type"]).toBe("application/x-www-form-urlencoded");
    const form = new URLSearchParams(auth?.body ?? "");
    expect([form.get("username"), form.get("password"), form.get("token")]).toEqual(["u", "p:é", "true"]);
    expect(was?.url).toBe(`${API}/qps/rest/portal/version`);
    expect(was?.headers.Authorization).toBe(`Bearer ${token}`);
    expect(was?.headers["request-source"]).toBe("gateway");
  });

  it("OAuth client credentials: POST {gateway}/auth/oidc with clientId/clientSecret headers and an empty body", async () => {
    const token = jwt({ sub: "client" });
    const events: ClientEvent[] = [];
    const fake = routed({
      "POST /auth/oidc": res(200, token),
      "GET /qps/rest/portal/version": res(200, VERSION_OK),
    });
    const client = createQualysClient({
      platform: "US2",
      auth: { kind: "oauth", clientId: "cid", clientSecret: "very-secret-value" },
      transport: fake.transport,
      log: (e) => events.push(e),
    });
    await client.portal.version();
    const [oidc] = fake.requests;
    expect(oidc?.url).toBe(`${GATEWAY}/auth/oidc`);
    expect(oidc?.headers.clientId).toBe("cid");
    expect(oidc?.headers.clientSecret).toBe("very-secret-value");
    expect(oidc?.body).toBe("");
    expect(JSON.stringify(events)).not.toContain("very-secret-value");
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it("refreshes the token before the 4-hour expiry, and only then", async () => {
    const { clock, sleeps } = fakeClock(Date.UTC(2026, 0, 1));
    const tokens = [jwt({ n: 1 }), jwt({ n: 2 })];
    const fake = routed({
      "POST /auth/oidc": [res(201, tokens[0] ?? ""), res(201, tokens[1] ?? "")],
      "GET /qps/rest/portal/version": () => res(200, VERSION_OK),
    });
    const client = createQualysClient({
      platform: "US2",
      auth: { kind: "oauth", clientId: "cid", clientSecret: "s" },
      transport: fake.transport,
      clock,
    });
    await client.portal.version();
    await clock.sleep(4 * 3600_000 - TOKEN_REFRESH_MARGIN_MS - 1000);
    await client.portal.version();
    await clock.sleep(2000);
    await client.portal.version();
    const bearers = fake.requests
      .filter((r) => r.url.endsWith("/version"))
      .map((r) => r.headers.Authorization);
    expect(bearers).toEqual([`Bearer ${tokens[0]}`, `Bearer ${tokens[0]}`, `Bearer ${tokens[1]}`]);
    expect(sleeps).toHaveLength(2);
  });

  it("honours a shorter exp claim, and a refused client secret is a QualysAuthError", async () => {
    expect(jwtExpiry(jwt({ exp: 1_800_000_000 }))).toBe(1_800_000_000_000);
    expect(jwtExpiry("not-a-jwt")).toBeUndefined();
    const fake = routed({ "POST /auth/oidc": res(401, '{"error":"invalid client"}') });
    const client = createQualysClient({
      platform: "EU1",
      auth: { kind: "oauth", clientId: "cid", clientSecret: "s3cret" },
      transport: fake.transport,
    });
    await expect(client.portal.version()).rejects.toBeInstanceOf(QualysAuthError);
    expect(fake.requests[0]?.url).toBe("https://gateway.qg1.apps.qualys.eu/auth/oidc");
  });

  it("a loopback simulator serves the gateway on the API origin", async () => {
    const fake = routed({
      "POST /auth": res(201, jwt({})),
      "GET /qps/rest/portal/version": res(200, VERSION_OK),
    });
    const client = createQualysClient({
      baseUrl: "http://127.0.0.1:18080",
      auth: { kind: "jwt", username: "u", password: "p" },
      transport: fake.transport,
    });
    await client.portal.version();
    expect(fake.requests.map((r) => r.url)).toEqual([
      "http://127.0.0.1:18080/auth",
      "http://127.0.0.1:18080/qps/rest/portal/version",
    ]);
  });
});
