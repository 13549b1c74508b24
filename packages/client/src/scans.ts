/**
 * Scan endpoints: WAS scans (docs/qualys-api.md 3.8), VM scans (4.3), EC2 connector runs (4.4). Launches are
 * not idempotent, so a failed launch is never blindly repeated: the client first looks for the scan it may
 * have created (names carry a timestamp, so they are unique) and only launches again when there is none.
 */

import { excerpt, QualysError, QualysParseError, type RequestInfo } from "./errors.js";
import type { HttpCore } from "./http-client.js";
import { readServiceResponse } from "./qps-envelope.js";
import { readSimpleReturn } from "./simple-return.js";
import { toVmScanResults, type VmScan, type VmScanResults, vmScansOf } from "./vm-schema.js";
import { escapeXml, qpsCall, serviceRequest } from "./was.js";
import { toWasScanResults, type WasScanResults } from "./was-schema.js";
import { asList, at, int, looksLikeHtml, parseJson, parseXml, text, type XmlNode } from "./xml.js";

export interface WasLaunch {
  name: string;
  type: "VULNERABILITY" | "DISCOVERY";
  webAppId: number;
  authRecord: "none" | "default" | { id: number };
  optionProfileId?: number;
  scanner: { type: "EXTERNAL" | "INTERNAL"; friendlyName?: string };
  cancelAfterHours?: number;
}

export interface WasScanStatus {
  id: number;
  status: string;
  resultsStatus: string | undefined;
  authStatus: string | undefined;
}

/**
 * Decides, after a launch failed in a way that may have started the scan anyway (lost answer, reset, 5xx), whether
 * a scan was created: return its id/reference, or undefined to launch again. The default looks the scan up by
 * its exact name; a caller with its own bookkeeping (e.g. a state file) passes its own.
 */
export type FindExisting<T> = (error: QualysError) => Promise<T | undefined>;

/**
 * Retry a launch that may or may not have happened: look first, launch again only when nothing was created.
 * Launches are never in the generic retry path (retry.ts) because they are not idempotent
 * (docs/qualys-api.md 3.8).
 */
export async function launchOnce<T>(
  core: HttpCore,
  launch: () => Promise<T>,
  find: FindExisting<T>,
): Promise<T> {
  let attempt = 0;
  for (;;) {
    try {
      return await launch();
    } catch (error) {
      if (!(error instanceof QualysError) || !error.retryable || attempt >= core.options.retry.maxRetries)
        throw error;
      attempt += 1;
      await core.options.clock.sleep(1000 * attempt);
      const existing = await find(error);
      if (existing !== undefined) return existing;
    }
  }
}

export class WasScanApi {
  constructor(private readonly core: HttpCore) {}

  /** Launch a scan; returns its id. `findExisting` replaces the look-up by name after an uncertain failure. */
  async launch(spec: WasLaunch, options: { findExisting?: FindExisting<number> } = {}): Promise<number> {
    const auth =
      spec.authRecord === "none"
        ? ""
        : spec.authRecord === "default"
          ? "<webAppAuthRecord><isDefault>true</isDefault></webAppAuthRecord>"
          : `<webAppAuthRecord><id>${spec.authRecord.id}</id></webAppAuthRecord>`;
    const scanner = `<scannerAppliance><type>${spec.scanner.type}</type>${spec.scanner.friendlyName ? `<friendlyName>${escapeXml(spec.scanner.friendlyName)}</friendlyName>` : ""}</scannerAppliance>`;
    const data =
      `<WasScan><name>${escapeXml(spec.name)}</name><type>${spec.type}</type>` +
      `<target><webApp><id>${spec.webAppId}</id></webApp>${auth}${scanner}</target>` +
      (spec.optionProfileId !== undefined ? `<profile><id>${spec.optionProfileId}</id></profile>` : "") +
      (spec.cancelAfterHours !== undefined
        ? `<cancelAfterNHours>${spec.cancelAfterHours}</cancelAfterNHours>`
        : "") +
      "</WasScan>";
    const path = "/qps/rest/3.0/launch/was/wasscan";
    return launchOnce(
      this.core,
      async () => {
        const sr = await qpsCall(this.core, "POST", path, serviceRequest({ data }), false);
        const id = int(sr.records[0]?.value.id);
        if (id === undefined)
          throw new QualysParseError("the launch answer has no scan id", this.core.info("POST", path), "");
        return id;
      },
      options.findExisting ?? (async () => this.findByName(spec.name, spec.webAppId)),
    );
  }

  /** The newest scan of this web app with this exact name, if any. */
  async findByName(name: string, webAppId: number): Promise<number | undefined> {
    const sr = await qpsCall(
      this.core,
      "POST",
      "/qps/rest/3.0/search/was/wasscan",
      serviceRequest({
        criteria: [
          { field: "name", operator: "EQUALS", value: name },
          { field: "webApp.id", operator: "EQUALS", value: String(webAppId) },
        ],
      }),
      true,
    );
    const ids = sr.records.map((r) => int(r.value.id)).filter((id): id is number => id !== undefined);
    return ids.length > 0 ? Math.max(...ids) : undefined;
  }

  async status(id: number): Promise<WasScanStatus> {
    const sr = await qpsCall(this.core, "GET", `/qps/rest/3.0/status/was/wasscan/${id}`, undefined, true);
    const scan = sr.records[0]?.value ?? {};
    return {
      id,
      status: text(scan.status) ?? "",
      resultsStatus: text(at(scan, "summary.resultsStatus")),
      authStatus: text(at(scan, "summary.authStatus")),
    };
  }

  /** Cancel a running scan. */
  async cancel(id: number): Promise<void> {
    await qpsCall(this.core, "POST", `/qps/rest/3.0/cancel/was/wasscan/${id}`, "<ServiceRequest/>", false);
  }

  /**
   * The scan results (`WasScan` with stats, vulns, igs). Asked as JSON, where the answer is wrapped in
   * ServiceResponse.data[0]; an XML answer (root `<WasScan>`, unwrapped) is read as well
   * (docs/qualys-api.md 3.8).
   */
  async download(id: number): Promise<XmlNode> {
    const path = `/qps/rest/3.0/download/was/wasscan/${id}`;
    return this.core.callAndRead(
      { family: "qps", method: "GET", path, accept: "application/json", idempotent: true, download: true },
      (response) => readWasScanDownload(response.body, this.core.info("GET", path)),
    );
  }

  /** The downloaded results, normalized: severity counts, vulnerabilities, information gathered. */
  async results(id: number): Promise<WasScanResults> {
    return toWasScanResults(await this.download(id));
  }
}

/**
 * Read a `download/was/wasscan` answer: XML whose root is `<WasScan>` itself (no ServiceResponse), or a
 * ServiceResponse (JSON or XML) wrapping one WasScan; an error envelope becomes its typed error
 * (docs/qualys-api.md 3.8).
 */
export function readWasScanDownload(body: string, request: RequestInfo): XmlNode {
  const trimmed = body.trimStart();
  if (
    !trimmed.startsWith("{") &&
    !looksLikeHtml(body) &&
    !/<ServiceResponse[\s>]/.test(body.slice(0, 2000))
  ) {
    const scan = at(parseXml(body, request), "WasScan");
    if (scan && typeof scan === "object") return scan as XmlNode;
    throw new QualysParseError("the download has no WasScan", request, excerpt(body));
  }
  const scan = readServiceResponse(body, request).records.find((r) => r.element === "WasScan")?.value;
  if (!scan) throw new QualysParseError("the download has no WasScan", request, excerpt(body));
  return scan;
}

export interface VmScanState {
  ref: string;
  state: string;
  subState: string | undefined;
  title: string | undefined;
  /** TARGET: the scanned IPs and ranges, comma separated, as the scan list gives them. */
  target: string | undefined;
  /** LAUNCH_DATETIME, ISO 8601 UTC (`2026-12-07T10:00:00Z`). */
  launchDatetime: string | undefined;
}

export class VmScanApi {
  constructor(private readonly core: HttpCore) {}

  private v2(params: Record<string, string>, idempotent: boolean): Promise<XmlNode> {
    const path = "/api/2.0/fo/scan/";
    return this.core.callAndRead({ family: "v2", method: "POST", path, params, idempotent }, (response) =>
      parseXml(response.body, this.core.info("POST", path)),
    );
  }

  /** Launch a VM scan (parameters as docs/qualys-api.md 4.3); returns its reference. */
  async launch(
    params: Record<string, string> & { scan_title: string },
    launchedAfter: string,
    options: { findExisting?: FindExisting<string> } = {},
  ): Promise<string> {
    return launchOnce(
      this.core,
      async () => {
        const doc = await this.v2({ action: "launch", ...params }, false);
        const ref = readSimpleReturn(doc)?.items.REFERENCE;
        if (!ref)
          throw new QualysParseError(
            "the launch answer has no REFERENCE",
            this.core.info("POST", "/api/2.0/fo/scan/"),
            "",
          );
        return ref;
      },
      options.findExisting ??
        (async () => {
          const doc = await this.v2({ action: "list", launched_after_datetime: launchedAfter }, true);
          const scans = asList<XmlNode>(at(doc, "SCAN_LIST_OUTPUT.RESPONSE.SCAN_LIST.SCAN"));
          return text(scans.find((s) => text(s.TITLE) === params.scan_title)?.REF);
        }),
    );
  }

  async state(ref: string): Promise<VmScanState | undefined> {
    const doc = await this.v2({ action: "list", scan_ref: ref }, true);
    const scan = asList<XmlNode>(at(doc, "SCAN_LIST_OUTPUT.RESPONSE.SCAN_LIST.SCAN"))[0];
    if (!scan) return undefined;
    return {
      ref,
      state: text(at(scan, "STATUS.STATE")) ?? "",
      subState: text(at(scan, "STATUS.SUB_STATE")),
      title: text(scan.TITLE),
      target: text(scan.TARGET),
      launchDatetime: text(scan.LAUNCH_DATETIME),
    };
  }

  /** `json_extended` results: [header, summary, detection rows…, notes] (docs/qualys-api.md 4.3). */
  async fetch(ref: string): Promise<unknown[]> {
    const path = "/api/2.0/fo/scan/";
    return this.core.callAndRead(
      {
        family: "v2",
        method: "POST",
        path,
        params: { action: "fetch", scan_ref: ref, output_format: "json_extended" },
        idempotent: true,
        download: true,
      },
      (response) => {
        const body = parseJson(response.body, this.core.info("POST", path));
        if (!Array.isArray(body))
          throw new QualysParseError("json_extended is not an array", this.core.info("POST", path), "");
        return body as unknown[];
      },
    );
  }

  /** `json_extended` results split into header, summary, typed detection rows and notes. */
  async results(ref: string): Promise<VmScanResults> {
    return toVmScanResults(await this.fetch(ref));
  }

  /**
   * `action=list` with any documented filter (state, scan_ref, launched_after_datetime, …;
   * docs/qualys-api.md 4.3).
   */
  async list(params: Record<string, string> = {}): Promise<VmScan[]> {
    return vmScansOf(await this.v2({ action: "list", ...params }, true));
  }

  /** Cancelling twice must not be repeated blindly: a lost answer is checked with `state()`. */
  async cancel(ref: string): Promise<void> {
    await this.v2({ action: "cancel", scan_ref: ref }, false);
  }
}

export class ConnectorApi {
  constructor(private readonly core: HttpCore) {}

  /** Start a run of the connector; returns the state it answers with. */
  async run(id: number): Promise<string | undefined> {
    const sr = await qpsCall(
      this.core,
      "POST",
      `/qps/rest/2.0/run/am/assetdataconnector/${id}`,
      "<ServiceRequest/>",
      false,
    );
    return text(sr.records[0]?.value.connectorState);
  }

  async state(id: number): Promise<string | undefined> {
    const sr = await qpsCall(
      this.core,
      "GET",
      `/qps/rest/2.0/get/am/assetdataconnector/${id}`,
      undefined,
      true,
    );
    return text(sr.records[0]?.value.connectorState);
  }
}

/** VM hosts and detections (docs/qualys-api.md 4.5), following WARNING 1980 truncation URLs. */
export class HostApi {
  constructor(private readonly core: HttpCore) {}

  private async *pages(
    path: string,
    params: Record<string, string>,
    listPath: string,
  ): AsyncGenerator<XmlNode> {
    let next: string | undefined;
    let first = true;
    while (first || next) {
      const read = (response: { body: string }) => parseXml(response.body, this.core.info("POST", path));
      const doc = next
        ? await this.core.callAndRead(
            { family: "v2", method: "GET", path, absoluteUrl: next, idempotent: true },
            read,
          )
        : await this.core.callAndRead(
            { family: "v2", method: "POST", path, params: { action: "list", ...params }, idempotent: true },
            read,
          );
      first = false;
      const root = Object.keys(doc).find((k) => k.endsWith("_OUTPUT")) ?? "";
      const response = at(doc, `${root}.RESPONSE`);
      for (const item of asList<XmlNode>(at(response, listPath))) yield item;
      const warning = at(response, "WARNING");
      const url = text(at(warning, "CODE")) === "1980" ? text(at(warning, "URL")) : undefined;
      if (url && new URL(url).origin !== new URL(this.core.options.apiUrl).origin) {
        throw new QualysParseError(
          `truncation URL points outside the API server: ${new URL(url).origin}`,
          this.core.info("POST", path),
          "",
        );
      }
      next = url;
    }
  }

  hosts(params: Record<string, string> = {}): AsyncGenerator<XmlNode> {
    return this.pages("/api/2.0/fo/asset/host/", params, "HOST_LIST.HOST");
  }

  detections(params: Record<string, string> = {}): AsyncGenerator<XmlNode> {
    return this.pages("/api/2.0/fo/asset/host/vm/detection/", params, "HOST_LIST.HOST");
  }
}
