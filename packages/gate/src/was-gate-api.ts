/**
 * What the WAS gate needs from Qualys, as a narrow interface: the runner is tested against fakes (clock, faults,
 * signals) and, end to end, against the simulator through `wasGateApi(client)`.
 */

import {
  OptionError,
  type OptionMessage,
  opt,
  optionMessage,
  PAGE_SIZE,
  QualysApiError,
  type QualysClient,
  type WasLaunch,
  type WasScanResults,
  type WasScanStatus,
} from "@qualys-connector/client";
import {
  toVulnerabilityDefinition,
  type VulnerabilityDefinition,
  type WebClasses,
  webClasses,
} from "@qualys-connector/model";

export interface WebAppChoice {
  id: number;
  name: string;
  url: string;
}

export interface RunningScan {
  id: number;
  name: string | undefined;
  status: string | undefined;
}

export interface WasGateApi {
  /** A web app by id (digits) or exact name; throws WebAppLookupError with the candidates otherwise. */
  resolveWebApp(idOrName: string): Promise<WebAppChoice>;
  /** Scans of this web app that are SUBMITTED, RUNNING or PROCESSING, newest first. */
  runningScans(webAppId: number): Promise<RunningScan[]>;
  launch(spec: WasLaunch): Promise<number>;
  status(scanId: number): Promise<WasScanStatus>;
  cancel(scanId: number): Promise<void>;
  results(scanId: number): Promise<WasScanResults>;
  /** KnowledgeBase definitions, asked in batches of at most 500 QIDs (as Qualys' Jenkins WAS connector does). */
  definitions(qids: readonly number[]): Promise<VulnerabilityDefinition[]>;
  /**
   * CWE, OWASP and WASC per QID, read from the web app's verbose findings (the KnowledgeBase API does not carry
   * them for WAS QIDs; docs/qualys-api.md 3.9, 4.6).
   */
  classifications(webAppId: number, qids: readonly number[]): Promise<Map<number, Classification>>;
  /** Link to the scan report in the Qualys portal. */
  scanReportUrl(scanId: number): string;
}

/** CWE, OWASP (with its edition: `A03:2021`) and WASC classes of a QID. */
export type Classification = WebClasses;

/**
 * Findings per page of the classification search: the largest page Qualys accepts, since the search stops as
 * soon as every QID of a batch is classified and each page is one request against the subscription's limits.
 */
export const CLASSIFICATION_PAGE_SIZE = PAGE_SIZE.max;

/**
 * Pages of `CLASSIFICATION_PAGE_SIZE` findings read per batch of QIDs at most, so a web app with a huge history
 * cannot stall a gate.
 */
export const CLASSIFICATION_PAGES = 10;

/** No single web app matches `webApp`; names that option; `messageWith` lets a CLI say its flag. */
export class WebAppLookupError extends OptionError {
  readonly option = "webApp";
  constructor(
    message: string | OptionMessage,
    readonly candidates: WebAppChoice[],
  ) {
    super(message);
    this.name = "WebAppLookupError";
  }
}

/**
 * QIDs per KnowledgeBase call (Qualys' Jenkins WAS connector, jenkinsci/qualys-was-plugin, batches by 500).
 */
export const KB_BATCH = 500;

const ACTIVE = ["SUBMITTED", "RUNNING", "PROCESSING"];

function describe(apps: readonly WebAppChoice[]): string {
  return apps.map((a) => `${a.id} "${a.name}" ${a.url}`).join("; ");
}

/** KnowledgeBase definitions of these QIDs, in batches of KB_BATCH; `count` hears one "kb" per call. */
export async function kbDefinitions(
  client: QualysClient,
  qids: readonly number[],
  count: (purpose: string) => void,
): Promise<VulnerabilityDefinition[]> {
  const out: VulnerabilityDefinition[] = [];
  const unique = [...new Set(qids)].sort((a, b) => a - b);
  for (let i = 0; i < unique.length; i += KB_BATCH) {
    count("kb");
    for await (const vuln of client.kb.vulns({ ids: unique.slice(i, i + KB_BATCH), details: "All" }))
      out.push(toVulnerabilityDefinition(vuln));
  }
  return out;
}

/** The WAS gate API over a Qualys client. `count` is told the purpose of every call, for result.json. */
export function wasGateApi(client: QualysClient, count: (purpose: string) => void = () => {}): WasGateApi {
  return {
    async resolveWebApp(idOrName) {
      const wanted = idOrName.trim();
      if (/^\d+$/.test(wanted)) {
        count("webapp");
        try {
          const app = await client.was.webApps.details(wanted);
          if (app) return { id: app.id, name: app.name, url: app.url };
        } catch (error) {
          if (!(error instanceof QualysApiError) || error.code !== "NOT_FOUND") throw error;
        }
        throw new WebAppLookupError(optionMessage`${opt("webApp")}: no web app has id ${wanted}`, []);
      }
      const exact: WebAppChoice[] = [];
      count("webapp");
      for await (const app of client.was.webApps.list({
        criteria: [{ field: "name", operator: "EQUALS", value: wanted }],
      }))
        exact.push({ id: app.id, name: app.name, url: app.url });
      if (exact.length === 1 && exact[0]) return exact[0];
      if (exact.length > 1)
        throw new WebAppLookupError(
          optionMessage`${opt("webApp")}: ${exact.length} web apps are named "${wanted}"; give the id of one: ${describe(exact)}`,
          exact,
        );
      const similar: WebAppChoice[] = [];
      count("webapp");
      for await (const app of client.was.webApps.list({
        criteria: [{ field: "name", operator: "CONTAINS", value: wanted }],
      })) {
        similar.push({ id: app.id, name: app.name, url: app.url });
        if (similar.length >= 10) break;
      }
      throw new WebAppLookupError(
        similar.length > 0
          ? optionMessage`${opt("webApp")}: no web app is named "${wanted}"; similar names: ${describe(similar)}`
          : optionMessage`${opt("webApp")}: no web app is named "${wanted}" (\`qualys-connector was webapps list\` shows them)`,
        similar,
      );
    },
    async runningScans(webAppId) {
      count("running-scans");
      const scans: RunningScan[] = [];
      for await (const scan of client.was.scans.list({
        criteria: [
          { field: "webApp.id", operator: "EQUALS", value: String(webAppId) },
          { field: "status", operator: "IN", value: ACTIVE.join(",") },
        ],
      }))
        scans.push({ id: scan.id, name: scan.name, status: scan.status });
      return scans.sort((a, b) => b.id - a.id);
    },
    async launch(spec) {
      count("launch");
      return client.was.scan.launch(spec);
    },
    async status(scanId) {
      count("status");
      return client.was.scan.status(scanId);
    },
    async cancel(scanId) {
      count("cancel");
      await client.was.scan.cancel(scanId);
    },
    async results(scanId) {
      count("download");
      return client.was.scan.results(scanId);
    },
    definitions: (qids) => kbDefinitions(client, qids, count),
    async classifications(webAppId, qids) {
      const out = new Map<number, Classification>();
      const unique = [...new Set(qids)].sort((a, b) => a - b);
      const pageSize = CLASSIFICATION_PAGE_SIZE;
      for (let i = 0; i < unique.length; i += KB_BATCH) {
        const batch = unique.slice(i, i + KB_BATCH);
        const missing = new Set(batch);
        let seen = 0;
        count("classifications");
        for await (const finding of client.was.findings.list({
          criteria: [
            { field: "webApp.id", operator: "EQUALS", value: String(webAppId) },
            { field: "type", operator: "EQUALS", value: "VULNERABILITY" },
            { field: "qid", operator: "IN", value: batch.join(",") },
          ],
          verbose: true,
          pageSize,
        })) {
          seen += 1;
          if (missing.delete(finding.qid)) out.set(finding.qid, webClasses(finding));
          // Stop as soon as every QID is classified, or after a bounded number of pages.
          if (missing.size === 0 || seen >= CLASSIFICATION_PAGES * pageSize) break;
          if (seen % pageSize === 0) count("classifications");
        }
      }
      return out;
    },
    scanReportUrl(scanId) {
      // The link Qualys' Jenkins WAS connector shows since the 2024 WAS UI (jenkinsci/qualys-was-plugin
      // 8f092a8).
      return `${client.endpoints.portal}/was/#/reports/online-reports/email-report/scan/${scanId}`;
    },
  };
}
