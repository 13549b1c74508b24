import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../../src/index.js";
import { basic, PASSWORD, smallSimulator, USER, v2 } from "./helpers.js";

describe("control API and API limits", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await smallSimulator({ rateLimit: { calls: 3, windowSec: 60 }, concurrencyLimit: 1 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("limits v2 calls: headers on every answer, 409 with code 1965 and ToWait-Sec past the rate", async () => {
    await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
    const answers: Response[] = [];
    for (let i = 0; i < 4; i++) {
      answers.push(
        await v2(sim, "/api/2.0/fo/knowledge_base/vuln/", { action: "list", details: "None", ids: "6" }),
      );
    }
    for (const a of answers.slice(0, 3)) expect(a.status).toBe(200);
    expect(answers[0]?.headers.get("x-ratelimit-remaining")).toBe("2");
    const blocked = answers[3];
    expect(blocked?.status).toBe(409);
    const text = await blocked?.text();
    expect(text).toContain("<CODE>1965</CODE>");
    expect(Number(blocked?.headers.get("x-ratelimit-towait-sec"))).toBeGreaterThan(0);
    const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as {
      total: number;
      byEndpoint: Record<string, Record<string, number>>;
      limits: { blocked: number; callsDuringWait: number };
    };
    expect(stats.byEndpoint["POST /api/2.0/fo/knowledge_base/vuln"]).toEqual({ "200": 3, "409": 1 });
    expect(stats.limits.blocked).toBe(1);
    // The fourth call came after the third answer said "Remaining 0, wait N s": it is counted as a call during a wait.
    expect(stats.limits.callsDuringWait).toBe(1);
  });

  it("answers 1960 when concurrent calls exceed the concurrency limit", async () => {
    await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
    const slowSim = await smallSimulator({ latencyMs: 300, concurrencyLimit: 1 });
    try {
      const [a, b] = await Promise.all([
        v2(slowSim, "/api/2.0/fo/scan/", { action: "list" }),
        v2(slowSim, "/api/2.0/fo/scan/", { action: "list" }),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses).toEqual([200, 409]);
      const blocked = a.status === 409 ? a : b;
      expect(await blocked.text()).toContain("<CODE>1960</CODE>");
    } finally {
      await slowSim.close();
    }
  });

  it("WAS is not limited unless limitsOnWas", async () => {
    const res = await fetch(`${sim.url}/qps/rest/3.0/count/was/webapp`, {
      headers: { Authorization: basic(USER, PASSWORD) },
    });
    expect(res.headers.get("x-ratelimit-limit")).toBeNull();
    const limited = await smallSimulator({ limitsOnWas: true });
    try {
      const r = await fetch(`${limited.url}/qps/rest/3.0/count/was/webapp`, {
        headers: { Authorization: basic(USER, PASSWORD) },
      });
      expect(r.headers.get("x-ratelimit-limit")).toBe("300");
    } finally {
      await limited.close();
    }
  });

  it("validates fault settings and reports them", async () => {
    const bad = await fetch(`${sim.url}/__sim/faults`, {
      method: "POST",
      body: JSON.stringify({ rate: 2, kinds: ["boom"] }),
    });
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).toContain("rate must be a number between 0 and 1");
    expect(text).toContain('unknown fault kind \\"boom\\"');
    const ok = await fetch(`${sim.url}/__sim/faults`, {
      method: "POST",
      body: JSON.stringify({ rate: 0, kinds: ["500"] }),
    });
    expect(await ok.json()).toEqual({ rate: 0, kinds: ["500"] });
  });

  it("serves ground truth and rejects unknown control paths", async () => {
    const webApps = (await (await fetch(`${sim.url}/__sim/ground-truth/webapps`)).json()) as {
      name: string;
    }[];
    expect(webApps.map((w) => w.name)).toContain("scenario-vulnerable");
    const kb = (await (await fetch(`${sim.url}/__sim/ground-truth/kb`)).json()) as { qid: number }[];
    expect(kb.length).toBeGreaterThanOrEqual(300);
    expect((await fetch(`${sim.url}/__sim/nope`)).status).toBe(404);
    const cycle = await fetch(`${sim.url}/__sim/scan-cycle?count=0`, { method: "POST" });
    expect(cycle.status).toBe(400);
  });

  it("gives a web app a hostile name and URL until reset, and serves them as they are", async () => {
    await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
    const truth = async () =>
      (await (await fetch(`${sim.url}/__sim/ground-truth/webapps`)).json()) as { id: number; name: string }[];
    const id = (await truth()).find((w) => w.name === "scenario-clean")?.id;
    // C1 CSI (U+009B) rather than ESC: the XML answers drop characters XML 1.0 does not allow.
    const name = "shop\u009b2J\n::warning::x ##vso[task.complete]\u202e";
    const post = (path: string, body: string) => fetch(`${sim.url}${path}`, { method: "POST", body });
    const renamed = await post(
      `/__sim/webapps/${id}`,
      JSON.stringify({ name, url: "https://evil.example/" }),
    );
    expect(await renamed.json()).toEqual({ id, name, url: "https://evil.example/" });
    expect((await truth()).find((w) => w.id === id)?.name).toBe(name);
    const got = await fetch(`${sim.url}/qps/rest/3.0/get/was/webapp/${id}`, {
      headers: { Authorization: basic(USER, PASSWORD) },
    });
    expect(await got.text()).toContain(`<name><![CDATA[${name}]]></name>`);
    expect((await post("/__sim/webapps/999", "{}")).status).toBe(404);
    expect((await post(`/__sim/webapps/${id}`, '{"name": 5}')).status).toBe(400);
    expect((await post(`/__sim/webapps/${id}`, "[")).status).toBe(400);
    await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
    expect((await truth()).find((w) => w.id === id)?.name).toBe("scenario-clean");
  });
});

describe("faults", () => {
  it("each fault kind produces its failure and never changes state", async () => {
    const sim = await smallSimulator();
    try {
      const before = await (await fetch(`${sim.url}/__sim/ground-truth/findings`)).text();
      const seen = new Map<string, string>();
      for (const kind of ["500", "502", "503", "html", "malformed", "409", "reset", "truncate"]) {
        await fetch(`${sim.url}/__sim/faults`, {
          method: "POST",
          body: JSON.stringify({ rate: 1, kinds: [kind] }),
        });
        try {
          const res = await fetch(`${sim.url}/qps/rest/3.0/search/was/finding`, {
            method: "POST",
            headers: { Authorization: basic(USER, PASSWORD), "Content-Type": "text/xml" },
            body: "<ServiceRequest><preferences><limitResults>5</limitResults></preferences></ServiceRequest>",
          });
          const body = await res.text();
          seen.set(kind, `${res.status} ${body.slice(0, 40)}`);
        } catch (error) {
          seen.set(kind, `network error: ${(error as Error).message}`);
        }
      }
      expect(seen.get("500")).toMatch(/^500 /);
      expect(seen.get("502")).toMatch(/^502 /);
      expect(seen.get("503")).toMatch(/^503 /);
      expect(seen.get("html")).toMatch(/^200 <!DOCTYPE html>/);
      expect(seen.get("malformed")).toMatch(/^200 <\?xml/);
      expect(seen.get("409")).toMatch(/^409 /);
      expect(seen.get("reset")).toMatch(/^network error/);
      expect(seen.get("truncate")).toMatch(/^network error/);
      await fetch(`${sim.url}/__sim/faults`, { method: "POST", body: JSON.stringify({ rate: 0 }) });
      const after = await (await fetch(`${sim.url}/__sim/ground-truth/findings`)).text();
      expect(after).toBe(before);
      const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as {
        byEndpoint: Record<string, Record<string, number>>;
      };
      expect(stats.byEndpoint["POST /qps/rest/3.0/search/was/finding"]).toMatchObject({
        "500": 1,
        "502": 1,
        "503": 1,
        "409": 1,
        "0": 1,
      });
    } finally {
      await sim.close();
    }
  });
});
