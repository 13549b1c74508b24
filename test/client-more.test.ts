/**
 * The client's report and host calls, and its proxy support, against the simulator on 127.0.0.1. The proxy is a
 * small CONNECT proxy on loopback that requires credentials and records what it saw.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQualysClient } from "../packages/client/src/index.js";
import { type RunningSimulator, startSimulator } from "../packages/simulator/src/index.js";
import { type ConnectProxy, startConnectProxy } from "./connect-proxy.js";

const auth = { kind: "basic" as const, username: "sim_user", password: "sim-password" };

describe("client reports, hosts and proxy", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      webapps: 2,
      findingsPerWebapp: 3,
      hosts: 7,
      kbSize: 300,
      scanDurationMs: 100,
      reportDurationMs: 100,
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("creates a WAS_WEBAPP_REPORT, waits for COMPLETE and downloads the XML file", async () => {
    const client = createQualysClient({ apiUrl: sim.url, auth });
    const ids: number[] = [];
    for await (const w of client.was.webApps.search({
      criteria: [{ field: "name", operator: "EQUALS", value: "scenario-vulnerable" }],
    }))
      ids.push(Number(w.id));
    const id = await client.was.report.create({
      name: "weekly",
      type: "WAS_WEBAPP_REPORT",
      format: "XML",
      targetIds: ids,
    });
    let status = await client.was.report.status(id);
    for (let i = 0; i < 40 && status !== "COMPLETE"; i++) {
      await new Promise((r) => setTimeout(r, 25));
      status = await client.was.report.status(id);
    }
    expect(status).toBe("COMPLETE");
    const file = await client.was.report.download(id);
    expect(file.fileName).toMatch(/\.xml$/);
    expect(file.body).toContain("<WAS_WEBAPP_REPORT>");
    await client.was.report.delete(id);
    await expect(client.was.report.status(id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await client.about())["WEB-VERSION"]).toMatch(/^\d+\./);
  });

  it("lists hosts and detections across truncation pages", async () => {
    const client = createQualysClient({ apiUrl: sim.url, auth });
    const hosts: string[] = [];
    for await (const h of client.vm.hosts.hosts({ truncation_limit: "3" })) hosts.push(String(h.IP));
    expect(hosts.length).toBeGreaterThanOrEqual(12);
    expect(new Set(hosts).size).toBe(hosts.length);
    expect(hosts).toContain("10.250.0.2");
    const withDetections: string[] = [];
    for await (const h of client.vm.hosts.detections({ truncation_limit: "2", show_igs: "1" })) {
      expect(h.DETECTION_LIST).toBeDefined();
      withDetections.push(String(h.IP));
    }
    expect(withDetections.length).toBeGreaterThan(3);
    expect(new Set(withDetections).size).toBe(withDetections.length);
  });

  describe("through an authenticating CONNECT proxy", () => {
    let proxy: ConnectProxy;
    let proxyUrl: string;
    beforeAll(async () => {
      proxy = await startConnectProxy({ username: "alice", password: "pr0xy:pässwörd" });
      proxyUrl = proxy.url.replace("//", `//alice:${encodeURIComponent("pr0xy:pässwörd")}@`);
    });
    afterAll(() => proxy.close());

    it("sends every call through the proxy with its credentials", async () => {
      const client = createQualysClient({ apiUrl: sim.url, auth, proxy: proxyUrl });
      expect(await client.was.webApps.count()).toBeGreaterThan(0);
      expect(proxy.seen.length).toBeGreaterThan(0);
      expect(proxy.seen[0]?.target).toBe(new URL(sim.url).host);
    });

    it("a refused proxy login is an error that does not show the proxy password", async () => {
      const client = createQualysClient({
        apiUrl: sim.url,
        auth,
        proxy: proxyUrl.replace(encodeURIComponent("pr0xy:pässwörd"), "wrong-secret"),
        maxRetries: 0,
      });
      const error = await client.was.webApps.count().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error).toBeDefined();
      expect(`${error?.message}`).not.toContain("wrong-secret");
    });
  });
});
