/**
 * Contract tests: the whole client (request building, envelopes, errors, limit headers) replayed against the
 * real recorded Qualys answers of JupiterOne's graph-qualys (HARs under QUALYS_CORPUS_DIR, test/corpus.ts, of
 * qualysapi.qg3.apps.qualys.com). Read in place, never copied. Each recording is served by method and path;
 * any other request fails the test.
 */
import { describe, expect, it } from "vitest";
import { HAS_CORPUS, type HarEntry, harEntries } from "../../../test/corpus.js";
import {
  createQualysClient,
  type HttpRequest,
  type HttpResponse,
  QualysApiError,
  QualysAuthError,
} from "../src/index.js";
import { fakeClock } from "./fake-transport.js";

const API = "https://qualysapi.qg3.apps.qualys.com";

/** Serve the entries of one recording, in order, to requests with the same method and path. */
function replay(file: string) {
  const entries = [...harEntries(`jupiterone/${file}`)];
  const sent: { req: HttpRequest; recorded: HarEntry }[] = [];
  const path = (url: string) => new URL(url).pathname.replace(/\/+$/, "");
  const transport = async (req: HttpRequest): Promise<HttpResponse> => {
    const index = entries.findIndex(
      (e) => e.request.method === req.method && path(e.request.url) === path(req.url),
    );
    const entry = index >= 0 ? entries.splice(index, 1)[0] : undefined;
    if (!entry) throw new Error(`unexpected request ${req.method} ${req.url} (not in ${file})`);
    sent.push({ req, recorded: entry });
    const headers: Record<string, string> = {};
    for (const h of entry.response.headers) headers[h.name.toLowerCase()] = h.value;
    return { status: entry.response.status, headers, body: entry.response.content.text ?? "" };
  };
  const client = createQualysClient({
    apiUrl: API,
    auth: { kind: "basic", username: "u", password: "p" },
    transport,
    clock: fakeClock().clock,
    retry: { maxRetries: 0 },
  });
  return { client, sent, left: () => entries.length };
}

async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const isScanned = [{ field: "isScanned", operator: "EQUALS" as const, value: "true" }];

describe.skipIf(!HAS_CORPUS)("client against real Qualys recordings", () => {
  it("iterateWebApps: 7 web apps with their ids and names; our request has the recorded shape", async () => {
    const { client, sent, left } = replay("iterateWebApps_4264083977.har");
    const apps = await drain(
      client.was.webApps.list({ criteria: isScanned, paging: "offset", pageSize: 100 }),
    );
    expect(apps.map((a) => [a.id, a.name])).toEqual([
      [238483924, "http://rest.vulnweb.com/"],
      [238483925, "http://testhtml5.vulnweb.com"],
      [238483926, "http://testphp.vulnweb.com/"],
      [238483927, "http://testasp.vulnweb.com"],
      [238483928, "http://testaspnet.vulnweb.com"],
      [251316885, "Juice Shop"],
      [251316904, "PyGoat"],
    ]);
    expect(apps[0]).toMatchObject({ ownerId: 17729931, url: "http://rest.vulnweb.com/" });
    expect(left()).toBe(0);
    // Same preferences and Criteria as the request Qualys accepted.
    const ours = sent[0]?.req.body?.replace(/\s+/g, "") ?? "";
    const theirs = sent[0]?.recorded.request.postData?.text?.replace(/\s+/g, "") ?? "";
    for (const part of [
      "<limitResults>100</limitResults>",
      "<startFromOffset>1</startFromOffset>",
      '<Criteriafield="isScanned"operator="EQUALS">true</Criteria>',
    ]) {
      expect(theirs).toContain(part);
      expect(ours).toContain(part);
    }
  });

  it("iterateWebAppsFiltered / FilteredNotFound: 1 and 0 web apps", async () => {
    const one = replay("iterateWebAppsFiltered_2282316954.har");
    expect(await drain(one.client.was.webApps.list({ criteria: isScanned }))).toHaveLength(1);
    const none = replay("iterateWebAppsFilteredNotFound_1713028025.har");
    expect(await drain(none.client.was.webApps.list({ criteria: isScanned }))).toEqual([]);
  });

  it("findings: an unknown web app id gives none; a bad id is INVALID_REQUEST with the real message (HTTP 200)", async () => {
    const unknown = replay("iterateWebAppFindingsUnknownId_373035765.har");
    const webApp = (value: string) => [{ field: "webApp.id", operator: "IN" as const, value }];
    expect(await drain(unknown.client.was.findings.list({ criteria: webApp("123") }))).toEqual([]);
    const bad = replay("iterateWebAppFindingsBadId_3730797176.har");
    const error = await drain(bad.client.was.findings.list({ criteria: webApp("abc123") })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QualysApiError);
    expect(error).toMatchObject({
      code: "INVALID_REQUEST",
      text: "Criteria: Invalid value format for criteria 'webApp.id' (abc123).",
      resolution: "Specify criteria value(s) as Long.",
    });
    expect(bad.sent).toHaveLength(1); // final: not retried
  });

  it("verifyAuthenticationInaccesible: INVALID_CREDENTIALS (HTTP 200) is a QualysAuthError", async () => {
    const { client } = replay("verifyAuthenticationInaccesible_1787272724.har");
    const error = await client.portal.version().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QualysAuthError);
    expect(error).toMatchObject({ reason: "credentials" });
    expect((error as Error).message).toContain("Authentication failed");
  });

  it("verifyAuthentication / fetchPortalInfo: module versions", async () => {
    const { client } = replay("verifyAuthentication_406099176.har");
    const versions = await client.portal.version();
    expect(Object.keys(versions).length).toBeGreaterThan(10);
    const info = replay("fetchPortalInfo_3149900553.har");
    expect((await info.client.portal.version())["WAS-VERSION"]).toBe("6.13.1.0");
  });

  it("executeAPIRequest409rateLimit: the recording holds only the 200 version answer (the 409 was J1's hand-made fixture, docs/qualys-api.md 5.2)", async () => {
    const { client, sent } = replay("executeAPIRequest409rateLimit_3758975109.har");
    const versions = await client.portal.version();
    expect(versions["QWEB__VM-VERSION"]).toBe("2.11.0");
    expect(sent[0]?.recorded.response.status).toBe(200);
    // WAS/QPS answers carry no limit headers (docs/qualys-api.md 3.11), so the limiter learned nothing and
    // holds nothing.
    expect(client.core.limiter.observed.size).toBe(0);
  });

  it("iterateVulnerabilities: 1 VULN, and the real rate-limit headers are read by the limiter", async () => {
    const { client, sent } = replay("iterateVulnerabilities_939003581.har");
    const vulns = await drain(client.kb.vulns({ ids: [316760] }));
    expect(vulns).toHaveLength(1);
    expect(vulns[0]).toMatchObject({ qid: 316760, severity: 3, cves: ["CVE-2020-3403"] });
    expect(new URLSearchParams(sent[0]?.req.body ?? "").get("ids")).toBe("316760");
    expect(client.core.limiter.observed.get("/api/2.0/fo/knowledge_base/vuln")).toEqual({
      limit: 300,
      windowSec: 3600,
      remaining: 291,
      toWaitSec: 0,
      concurrencyLimit: 2,
    });
  });

  it("iterateVulnerabilitiesBadId: HTTP 400 SIMPLE_RETURN 1905 is a QualysApiError with the real text", async () => {
    const { client } = replay("iterateVulnerabilitiesBadId_2017955229.har");
    const error = await drain(client.kb.list({ ids: [1] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QualysApiError);
    expect(error).toMatchObject({
      code: "1905",
      text: "parameter ids has invalid value: abc123 (neither a positive integer nor a range: abc123)",
    });
  });

  it("iterateHostDetections: an empty detection answer (DOCTYPE, trailing comments) yields no hosts", async () => {
    const { client } = replay("iterateHostDetections_31119415.har");
    expect(await drain(client.vm.hosts.detections({ ids: "107800671", show_tags: "1" }))).toEqual([]);
  });
});
