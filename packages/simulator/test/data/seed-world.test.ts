import { describe, expect, it } from "vitest";
import { runScanCycle } from "../../src/data/evolve.js";
import { generateWorld } from "../../src/data/generate.js";
import { WAS_SCENARIOS } from "../../src/data/seed-world.js";
import { resolveOptions, type SimulatorOptions } from "../../src/options.js";
import { createUsers } from "../../src/users.js";
import type { SimWorld } from "../../src/world.js";

const NOW = Date.parse("2026-11-22T12:00:00Z");

function world(options: SimulatorOptions = {}): SimWorld {
  const resolved = resolveOptions({ now: () => NOW, ...options });
  return generateWorld(resolved, createUsers(resolved));
}

function snapshot(w: SimWorld): string {
  return JSON.stringify({
    webApps: [...w.webApps.values()],
    findings: [...w.findings.values()],
    kb: [...w.kb.values()],
    hosts: [...w.hosts.values()],
  });
}

describe("the seeded subscription", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    expect(snapshot(world({ seed: 7 }))).toBe(snapshot(world({ seed: 7 })));
    expect(snapshot(world({ seed: 7 }))).not.toBe(snapshot(world({ seed: 8 })));
  });

  it("has every scenario web app, with the first ids, besides the generated ones", () => {
    const w = world({ webapps: 4, findingsPerWebapp: 10 });
    const names = [...w.webApps.values()].map((a) => a.name);
    expect(names.slice(0, WAS_SCENARIOS.length)).toEqual(WAS_SCENARIOS.map((s) => `scenario-${s}`));
    expect(w.webApps.size).toBe(WAS_SCENARIOS.length + 4);
  });

  it("generates findingsPerWebapp findings per generated web app, all consistent with the KB", () => {
    const w = world({ webapps: 6, findingsPerWebapp: 13 });
    const generated = [...w.webApps.values()].filter((a) => a.scenario === null);
    for (const app of generated) {
      expect([...w.findings.values()].filter((f) => f.webAppId === app.id)).toHaveLength(13);
    }
    for (const f of w.findings.values()) {
      const kb = w.kb.get(f.qid);
      expect(kb, `QID ${f.qid}`).toBeDefined();
      expect(f.name).toBe(kb?.title);
      expect(w.webApps.has(f.webAppId)).toBe(true);
      if (f.type === "INFORMATION_GATHERED") {
        expect(f.url).toBeNull();
        expect(f.status).toBeNull();
      } else {
        expect(f.url).toMatch(/^https:\/\//);
        expect(f.status).not.toBeNull();
      }
    }
  });

  it("gives unique ids and uniqueIds, and a KB of kbSize entries in QID order", () => {
    const w = world({ kbSize: 700 });
    const uniqueIds = [...w.findings.values()].map((f) => f.uniqueId);
    expect(new Set(uniqueIds).size).toBe(uniqueIds.length);
    expect(w.kb.size).toBe(700);
    const qids = [...w.kb.keys()];
    expect(qids).toEqual([...qids].sort((a, b) => a - b));
  });

  it("scenario-vulnerable has vulnerabilities of every severity, potential ones, sensitive content and IG", () => {
    const w = world();
    const app = [...w.webApps.values()].find((a) => a.name === "scenario-vulnerable");
    const findings = [...w.findings.values()].filter((f) => f.webAppId === app?.id);
    const vulns = findings.filter((f) => f.type === "VULNERABILITY");
    expect(new Set(vulns.map((f) => f.severity))).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(vulns.some((f) => f.potential)).toBe(true);
    expect(findings.some((f) => f.type === "SENSITIVE_CONTENT")).toBe(true);
    expect(findings.some((f) => f.type === "INFORMATION_GATHERED")).toBe(true);
  });

  it("scenario-clean has no vulnerabilities; scenario-running has a running scan", () => {
    const w = world();
    const clean = [...w.webApps.values()].find((a) => a.name === "scenario-clean");
    expect(
      [...w.findings.values()].filter((f) => f.webAppId === clean?.id && f.type !== "INFORMATION_GATHERED"),
    ).toEqual([]);
    const running = [...w.webApps.values()].find((a) => a.name === "scenario-running");
    const scan = running?.lastScanId ? w.wasScans.get(running.lastScanId) : undefined;
    expect(scan).toMatchObject({ status: "RUNNING", stuck: true });
  });

  it("contains hostile strings, unicode and very long values, as real subscriptions do", () => {
    const w = world({ webapps: 20, findingsPerWebapp: 20 });
    const text = snapshot(w);
    expect(text).toContain("<script>alert(1)</script>");
    expect(text).toContain("' OR '1'='1");
    expect([...w.webApps.values()].some((a) => [...a.name].some((c) => (c.codePointAt(0) ?? 0) > 127))).toBe(
      true,
    );
    expect([...w.webApps.values()].some((a) => a.name.length > 150)).toBe(true);
    expect([...w.kb.values()].some((v) => v.cves.some((c) => c !== c.trim()))).toBe(true);
  });

  it("has the VM scenario hosts and EC2 assets", () => {
    const w = world();
    const byIp = new Map([...w.hosts.values()].map((h) => [h.ip, h]));
    expect(byIp.get("10.250.0.3")?.alive).toBe(false);
    const vulnerable = byIp.get("10.250.0.2");
    for (const severity of [1, 2, 3, 4, 5]) {
      expect(vulnerable?.detections.some((d) => d.type === "Vuln" && d.severity === severity)).toBe(true);
      expect(vulnerable?.detections.some((d) => d.type === "Practice" && d.severity === severity)).toBe(true);
    }
    const kbOf = (qid: number) => w.kb.get(qid);
    expect(
      vulnerable?.detections.some((d) => (kbOf(d.qid)?.cves.length ?? 0) > 0 && kbOf(d.qid)?.cvssV3),
    ).toBe(true);
    expect(vulnerable?.detections.some((d) => kbOf(d.qid)?.pciFlag)).toBe(true);
    expect([...(byIp.get("10.250.0.1")?.detections ?? [])].every((d) => d.type === "Ig")).toBe(true);
    expect([...w.connectors.values()].map((c) => c.name)).toEqual([
      "scenario-ec2",
      "scenario-ec2-disabled",
      "scenario-ec2-error",
    ]);
    const instances = [...w.hostAssets.values()].map((a) => `${a.instanceId}:${a.instanceState}`);
    expect(instances).toEqual([
      "i-0000000000000clean:RUNNING",
      "i-00000000000000vuln:RUNNING",
      "i-000000000000stopped:STOPPED",
    ]);
  });

  it("generates 100 web apps with 100 findings each quickly", () => {
    const started = performance.now();
    const w = world({ webapps: 100, findingsPerWebapp: 100 });
    expect(w.findings.size).toBeGreaterThanOrEqual(10_000);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe("scan cycles", () => {
  it("change statuses and dates like a real subscription, and keep scenario-vulnerable's severities", () => {
    const w = world({ webapps: 10, findingsPerWebapp: 30 });
    const options = resolveOptions({ now: () => NOW });
    const before = new Map([...w.findings.values()].map((f) => [f.id, `${f.status}|${f.isIgnored}`]));
    const transitions = new Set<string>();
    for (let cycle = 1; cycle <= 4; cycle++) {
      const at = NOW + cycle * 86_400_000;
      runScanCycle(w, at, options);
      for (const f of w.findings.values()) {
        const was = before.get(f.id);
        const is = `${f.status}|${f.isIgnored}`;
        if (was === undefined) transitions.add("created");
        else if (was !== is) {
          transitions.add(`${was.split("|")[0]}->${f.status}`);
          expect(Date.parse(f.updatedDate)).toBeGreaterThan(NOW);
        }
        before.set(f.id, is);
      }
    }
    expect(transitions).toContain("created");
    expect([...transitions].some((t) => t.endsWith("->FIXED"))).toBe(true);
    expect(transitions).toContain("FIXED->REOPENED");
    expect(transitions).toContain("NEW->ACTIVE");
    expect(w.cycles).toBe(4);
    const app = [...w.webApps.values()].find((a) => a.name === "scenario-vulnerable");
    const open = [...w.findings.values()].filter(
      (f) => f.webAppId === app?.id && f.type === "VULNERABILITY" && f.status !== "FIXED",
    );
    expect(new Set(open.map((f) => f.severity))).toEqual(new Set([1, 2, 3, 4, 5]));
  });
});
