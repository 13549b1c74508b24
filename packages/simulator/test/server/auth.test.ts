import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../../src/index.js";
import { basic, PASSWORD, smallSimulator, USER } from "./helpers.js";

// A password with ':' and non-ASCII characters: legal in Basic auth (RFC 7617) and in form fields.
const ODD_PASSWORD = "pa:ss:wörd-é€";

describe("authentication on the wire", () => {
  let sim: RunningSimulator;
  let odd: RunningSimulator;
  beforeAll(async () => {
    sim = await smallSimulator();
    odd = await smallSimulator({ password: ODD_PASSWORD });
  });
  afterAll(async () => {
    await sim.close();
    await odd.close();
  });

  it("WAS: bad credentials answer HTTP 200 with INVALID_CREDENTIALS (XML and JSON)", async () => {
    const xml = await fetch(`${sim.url}/qps/rest/portal/version`, {
      headers: { Authorization: basic(USER, "wrong") },
    });
    expect(xml.status).toBe(200);
    const text = await xml.text();
    expect(text).toContain("<responseCode>INVALID_CREDENTIALS</responseCode>");
    expect(text).toContain("<errorMessage>Authentication failed</errorMessage>");
    expect(text).not.toContain("wrong");
    const json = await fetch(`${sim.url}/qps/rest/portal/version`, {
      headers: { Authorization: basic(USER, "wrong"), Accept: "application/json" },
    });
    const body = (await json.json()) as { ServiceResponse: { responseCode: string } };
    expect(body.ServiceResponse.responseCode).toBe("INVALID_CREDENTIALS");
  });

  it("WAS: a user without the module gets UNAUTHORIZED with HTTP 200", async () => {
    const res = await fetch(`${sim.url}/qps/rest/3.0/count/was/webapp`, {
      headers: { Authorization: basic("sim_vm_only", PASSWORD) },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<responseCode>UNAUTHORIZED</responseCode>");
  });

  it("WAS and v2 accept Basic auth with ':' and non-ASCII characters in the password (UTF-8)", async () => {
    const was = await fetch(`${odd.url}/qps/rest/portal/version`, {
      headers: { Authorization: basic(USER, ODD_PASSWORD) },
    });
    expect(await was.text()).toContain("<responseCode>SUCCESS</responseCode>");
    const kb = await fetch(`${odd.url}/api/2.0/fo/knowledge_base/vuln/?action=list&details=None`, {
      headers: { Authorization: basic(USER, ODD_PASSWORD), "X-Requested-With": "test" },
    });
    expect(kb.status).toBe(200);
  });

  it("v2 requires X-Requested-With", async () => {
    const res = await fetch(`${sim.url}/api/2.0/fo/knowledge_base/vuln/?action=list`, {
      headers: { Authorization: basic(USER, PASSWORD) },
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain("<CODE>1903</CODE>");
    expect(text).toContain("X-Requested-With");
  });

  it("v2: bad credentials are refused with code 2000, an expired account with 2001, a missing module is named", async () => {
    const bad = await fetch(`${sim.url}/api/2.0/fo/scan/?action=list`, {
      headers: { Authorization: basic(USER, "nope"), "X-Requested-With": "t" },
    });
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain("<CODE>2000</CODE>");
    const expired = await fetch(`${sim.url}/api/2.0/fo/scan/?action=list`, {
      headers: { Authorization: basic("sim_expired", PASSWORD), "X-Requested-With": "t" },
    });
    expect(await expired.text()).toContain("<CODE>2001</CODE>");
    const noVm = await fetch(`${sim.url}/api/2.0/fo/scan/?action=list`, {
      headers: { Authorization: basic("sim_was_only", PASSWORD), "X-Requested-With": "t" },
    });
    expect(noVm.status).toBe(403);
    expect(await noVm.text()).toContain("VM API");
  });

  it("v2 session login with an odd password, cookie auth, logout ends the session", async () => {
    const login = await fetch(`${odd.url}/api/2.0/fo/session/`, {
      method: "POST",
      headers: { "X-Requested-With": "t", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ action: "login", username: USER, password: ODD_PASSWORD }).toString(),
    });
    expect(login.status).toBe(200);
    expect(await login.text()).toContain("Logged in");
    const cookie = /QualysSession=[0-9a-f]+/.exec(login.headers.get("set-cookie") ?? "")?.[0];
    expect(cookie).toBeDefined();
    // Session login is exempt from limits: no rate-limit headers.
    expect(login.headers.get("x-ratelimit-limit")).toBeNull();
    const withCookie = { Cookie: String(cookie), "X-Requested-With": "t" };
    const list = await fetch(`${odd.url}/api/2.0/fo/scan/?action=list`, { headers: withCookie });
    expect(list.status).toBe(200);
    expect(list.headers.get("x-ratelimit-limit")).toBe("300");
    const logout = await fetch(`${odd.url}/api/2.0/fo/session/`, {
      method: "POST",
      headers: { ...withCookie, "Content-Type": "application/x-www-form-urlencoded" },
      body: "action=logout",
    });
    expect(await logout.text()).toContain("Logged out");
    const after = await fetch(`${odd.url}/api/2.0/fo/scan/?action=list`, { headers: withCookie });
    expect(after.status).toBe(401);
  });

  it("a session cookie does not authenticate WAS (sessions are for /api/2.0 only)", async () => {
    const login = await fetch(`${sim.url}/api/2.0/fo/session/`, {
      method: "POST",
      headers: { "X-Requested-With": "t", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ action: "login", username: USER, password: PASSWORD }).toString(),
    });
    const cookie = /QualysSession=[0-9a-f]+/.exec(login.headers.get("set-cookie") ?? "")?.[0] ?? "";
    const was = await fetch(`${sim.url}/qps/rest/portal/version`, { headers: { Cookie: cookie } });
    expect(await was.text()).toContain("INVALID_CREDENTIALS");
  });

  it("gateway /auth gives a JWT (201) usable as Bearer on WAS and v2; /auth/oidc takes client credentials", async () => {
    const auth = await fetch(`${odd.url}/auth`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username: USER, password: ODD_PASSWORD, token: "true" }).toString(),
    });
    expect(auth.status).toBe(201);
    const token = await auth.text();
    expect(token.split(".")).toHaveLength(3);
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as {
      modulesAllowed: string[];
    };
    expect(claims.modulesAllowed).toContain("WAS");
    const was = await fetch(`${odd.url}/qps/rest/portal/version`, {
      headers: { Authorization: `Bearer ${token}`, "request-source": "gateway" },
    });
    expect(await was.text()).toContain("<responseCode>SUCCESS</responseCode>");
    const vm = await fetch(`${odd.url}/api/2.0/fo/scan/?action=list`, {
      headers: { Authorization: `Bearer ${token}`, "X-Requested-With": "t" },
    });
    expect(vm.status).toBe(200);
    const forged = `${token.slice(0, -4)}AAAA`;
    const refused = await fetch(`${odd.url}/qps/rest/portal/version`, {
      headers: { Authorization: `Bearer ${forged}` },
    });
    expect(await refused.text()).toContain("INVALID_CREDENTIALS");

    const badAuth = await fetch(`${odd.url}/auth`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "username=sim_user&password=bad&token=true",
    });
    expect(badAuth.status).toBe(401);

    const oidc = await fetch(`${odd.url}/auth/oidc`, {
      method: "POST",
      headers: { clientId: "sim-client-id", clientSecret: "sim-client-secret", accept: "application/json" },
    });
    expect(oidc.status).toBe(200);
    const oidcToken = await oidc.text();
    const viaOidc = await fetch(`${odd.url}/qps/rest/3.0/count/was/webapp`, {
      headers: { Authorization: `Bearer ${oidcToken}` },
    });
    expect(await viaOidc.text()).toContain("<responseCode>SUCCESS</responseCode>");
    const badOidc = await fetch(`${odd.url}/auth/oidc`, {
      method: "POST",
      headers: { clientId: "sim-client-id", clientSecret: "x" },
    });
    expect(badOidc.status).toBe(401);
  });
});
