/**
 * The simulator against real recorded Qualys traffic (JupiterOne's HAR recordings under QUALYS_CORPUS_DIR, of
 * qualysapi.qg3.apps.qualys.com): each recorded request is replayed against the simulator and the answer must have
 * the same status, envelope, element names and order as the real one. Values differ (our data is generated), and
 * where an error text is the real one we compare it word for word.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAS_CORPUS, type HarEntry, harEntries } from "../../../../test/corpus.js";
import { type RunningSimulator, startSimulator } from "../../src/index.js";
import { extraPaths, shapeDifferences, xmlShape } from "./xml-shape.js";

const AUTH = { Authorization: `Basic ${Buffer.from("sim_user:sim-password").toString("base64")}` };

function entry(file: string, index = 0): HarEntry {
  const found = harEntries(`jupiterone/${file}`)[index];
  if (!found) throw new Error(`no entry ${index} in ${file}`);
  return found;
}

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

function header(e: HarEntry, name: string): string | undefined {
  return e.request.headers.find((h) => h.name.toLowerCase() === name)?.value;
}

async function replay(
  sim: RunningSimulator,
  e: HarEntry,
  change: { body?: string; path?: string; auth?: Record<string, string> } = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const contentType = header(e, "content-type");
  const res = await fetch(`${sim.url}${change.path ?? pathOf(e.request.url)}`, {
    method: e.request.method,
    headers: {
      ...(change.auth ?? AUTH),
      "X-Requested-With": "conformance",
      ...(contentType ? { "Content-Type": contentType } : {}),
    },
    ...(e.request.method === "POST" ? { body: change.body ?? e.request.postData?.text ?? "" } : {}),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

function textOf(xml: string, element: string): string | undefined {
  return new RegExp(`<${element}>(?:<!\\[CDATA\\[)?([\\s\\S]*?)(?:\\]\\]>)?</${element}>`).exec(xml)?.[1];
}

describe.skipIf(!HAS_CORPUS)("simulator vs real recorded Qualys responses", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ webapps: 5, findingsPerWebapp: 10, hosts: 3, kbSize: 500 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("portal version: same envelope and Portal-Version elements", async () => {
    const real = entry("fetchPortalInfo_3149900553.har");
    const ours = await replay(sim, real);
    expect(ours.status).toBe(real.response.status);
    const diff = shapeDifferences(xmlShape(real.response.content.text ?? ""), xmlShape(ours.text));
    expect(diff).toEqual([]);
  });

  it("bad credentials: HTTP 200, INVALID_CREDENTIALS with the real message and resolution", async () => {
    const real = entry("verifyAuthenticationInaccesible_1787272724.har");
    const ours = await replay(sim, real, {
      auth: { Authorization: `Basic ${Buffer.from("sim_user:wrong").toString("base64")}` },
    });
    const realText = real.response.content.text ?? "";
    expect(ours.status).toBe(real.response.status);
    expect(shapeDifferences(xmlShape(realText), xmlShape(ours.text))).toEqual([]);
    for (const element of ["responseCode", "errorMessage", "errorResolution"]) {
      expect(textOf(ours.text, element), element).toBe(textOf(realText, element));
    }
  });

  it("web app search (non-verbose): same envelope and WebApp record layout, element for element", async () => {
    const real = entry("iterateWebApps_4264083977.har");
    const ours = await replay(sim, real);
    const realShape = xmlShape(real.response.content.text ?? "");
    const ourShape = xmlShape(ours.text);
    expect(ours.status).toBe(200);
    expect(textOf(ours.text, "responseCode")).toBe("SUCCESS");
    expect(Number(textOf(ours.text, "count"))).toBeGreaterThan(0);
    expect(shapeDifferences(realShape, ourShape)).toEqual([]);
    expect(extraPaths(realShape, ourShape)).toEqual([]);
    expect(ours.text).toContain("/qps/xsd/3.0/was/webapp.xsd");
  });

  it("web app search that matches nothing: count 0 and no hasMoreRecords or data, as recorded", async () => {
    const real = entry("iterateWebAppsFilteredNotFound_1713028025.har");
    const ours = await replay(sim, real);
    const realShape = xmlShape(real.response.content.text ?? "");
    const ourShape = xmlShape(ours.text);
    expect(shapeDifferences(realShape, ourShape)).toEqual([]);
    expect(extraPaths(realShape, ourShape)).toEqual([]);
  });

  it("finding search with a bad web app id: INVALID_REQUEST with HTTP 200 and the real wording", async () => {
    const real = entry("iterateWebAppFindingsBadId_3730797176.har");
    const ours = await replay(sim, real);
    const realText = real.response.content.text ?? "";
    expect(ours.status).toBe(200);
    expect(shapeDifferences(xmlShape(realText), xmlShape(ours.text))).toEqual([]);
    for (const element of ["responseCode", "errorMessage", "errorResolution"]) {
      expect(textOf(ours.text, element), element).toBe(textOf(realText, element));
    }
  });

  it("finding search for an unknown web app: SUCCESS, count 0, nothing else", async () => {
    const real = entry("iterateWebAppFindingsUnknownId_373035765.har");
    const ours = await replay(sim, real);
    const realShape = xmlShape(real.response.content.text ?? "");
    const ourShape = xmlShape(ours.text);
    expect(shapeDifferences(realShape, ourShape)).toEqual([]);
    expect(extraPaths(realShape, ourShape)).toEqual([]);
  });

  it("KnowledgeBase list by id: same DOCTYPE, envelope and VULN element order; limit headers", async () => {
    const real = entry("iterateVulnerabilities_939003581.har");
    const kb = (await (await fetch(`${sim.url}/__sim/ground-truth/kb`)).json()) as { qid: number }[];
    const qid = kb.find((v) => v.qid > 100000)?.qid ?? kb[0]?.qid;
    const ours = await replay(sim, real, { body: `action=list&ids=${qid}` });
    expect(ours.status).toBe(200);
    // Optional VULN children depend on the QID; order must still agree.
    const optional = [
      "KNOWLEDGE_BASE_VULN_LIST_OUTPUT/RESPONSE/VULN_LIST/VULN/SOFTWARE_LIST",
      "KNOWLEDGE_BASE_VULN_LIST_OUTPUT/RESPONSE/VULN_LIST/VULN/VENDOR_REFERENCE_LIST",
      "KNOWLEDGE_BASE_VULN_LIST_OUTPUT/RESPONSE/VULN_LIST/VULN/CVE_LIST",
      "KNOWLEDGE_BASE_VULN_LIST_OUTPUT/RESPONSE/VULN_LIST/VULN/THREAT_INTELLIGENCE",
      "KNOWLEDGE_BASE_VULN_LIST_OUTPUT/RESPONSE/VULN_LIST/VULN/DISCOVERY/AUTH_TYPE_LIST",
      "KNOWLEDGE_BASE_VULN_LIST_OUTPUT/RESPONSE/VULN_LIST/VULN/CATEGORY",
    ];
    expect(
      shapeDifferences(xmlShape(real.response.content.text ?? ""), xmlShape(ours.text), optional),
    ).toEqual([]);
    for (const name of [
      "x-ratelimit-limit",
      "x-ratelimit-window-sec",
      "x-ratelimit-remaining",
      "x-ratelimit-towait-sec",
      "x-concurrency-limit-limit",
      "x-concurrency-limit-running",
    ]) {
      expect(ours.headers.get(name), name).toMatch(/^\d+$/);
    }
  });

  it("KnowledgeBase list with a bad id: HTTP 400, SIMPLE_RETURN 1905 with the real text", async () => {
    const real = entry("iterateVulnerabilitiesBadId_2017955229.har");
    const ours = await replay(sim, real);
    const realText = real.response.content.text ?? "";
    expect(ours.status).toBe(real.response.status);
    expect(shapeDifferences(xmlShape(realText), xmlShape(ours.text))).toEqual([]);
    expect(textOf(ours.text, "CODE")).toBe(textOf(realText, "CODE"));
    expect(textOf(ours.text, "TEXT")).toBe(textOf(realText, "TEXT"));
  });

  it("host list (details=None): same DOCTYPE and ID_SET layout", async () => {
    const real = entry("iterateHostDetections_31119415.har", 0);
    const ours = await replay(sim, real);
    expect(ours.status).toBe(200);
    const realShape = xmlShape(real.response.content.text ?? "");
    expect(shapeDifferences(realShape, xmlShape(ours.text))).toEqual([]);
  });

  it("host detection list: same DOCTYPE and envelope", async () => {
    const real = entry("iterateHostDetections_31119415.har", 1);
    const ours = await replay(sim, real);
    expect(ours.status).toBe(200);
    expect(shapeDifferences(xmlShape(real.response.content.text ?? ""), xmlShape(ours.text))).toEqual([]);
  });
});
