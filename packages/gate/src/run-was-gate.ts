/**
 * The WAS gate runner, the imperative shell around `evaluate`: resolve the web app, launch (or attach to) a scan,
 * poll it, cancel it on timeout or interruption, download the results, enrich them from the KnowledgeBase and
 * evaluate. Whatever happens, it returns a complete GateResult, so every output is written on every outcome.
 */

import {
  opt,
  optionMessage,
  type WasLaunch,
  type WasScanResults,
  type WasScanStatus,
} from "@qualys-connector/client";
import { type ScanFinding, type VulnerabilityDefinition, wasScanFindings } from "@qualys-connector/model";
import type { Baseline } from "./baseline.js";
import { describeError } from "./describe-error.js";
import { type EvaluationInput, evaluate, evaluationInput } from "./evaluate.js";
import type { Policy } from "./policy.js";
import type { GateResult, GateScan } from "./result.js";
import {
  earlyEndReason,
  type GateRunner,
  type LongScanOptions,
  type PollPhase,
  pollUntilTerminal,
  scopedRunner,
  startGateRun,
  stopText,
  ToolError,
} from "./scan-lifecycle.js";
import type { RunningScan, WasGateApi, WebAppChoice } from "./was-gate-api.js";

export interface WasGateOptions extends LongScanOptions {
  /** Web app id or exact name; optional only with `scanId`. */
  webApp?: string | undefined;
  /** Gate an existing scan instead of launching one (`--scan-id`). */
  scanId?: number | undefined;
  type: WasLaunch["type"];
  authRecord: WasLaunch["authRecord"];
  optionProfileId?: number | undefined;
  scanner: WasLaunch["scanner"];
  cancelAfterHours?: number | undefined;
  onRunning: "attach" | "wait" | "cancel" | "fail";
}

/** What `--no-wait` returns: the scan to gate later with `--scan-id`. */
export interface LaunchedScan {
  kind: "launched";
  scanId: number;
  name: string | undefined;
  attached: boolean;
  webApp: WebAppChoice;
  portalUrl: string;
}

/** Statuses after which a WAS scan changes no more (docs/qualys-api.md 3.8). */
export const WAS_TERMINAL_STATUSES: ReadonlySet<string> = new Set(["FINISHED", "ERROR", "CANCELED"]);
/**
 * Which resultsStatus a clean scan reports is unresolved: Qualys' own plugins expect FINISHED, third-party fixtures
 * SUCCESSFUL, and both are documented values (docs/qualys-api.md 3.8), so both count as clean.
 */
const CLEAN_RESULTS = new Set(["FINISHED", "SUCCESSFUL"]);
const RESULTS_MEANING: Readonly<Record<string, string>> = {
  NO_HOST_ALIVE: "the web application's host did not answer",
  NO_WEB_SERVICE: "no web service answered at the web application's URL",
  SERVICE_ERROR: "Qualys reported a service error",
  TIME_LIMIT_EXCEEDED: "the scan hit its time limit, so the results are partial",
  TIME_LIMIT_REACHED: "the scan hit its time limit, so the results are partial",
  SCAN_INTERNAL_ERROR: "Qualys reported an internal scan error",
  SCAN_RESULTS_INVALID: "Qualys marked the results invalid",
  SCAN_NOT_LAUNCHED: "the scan was not launched",
  SCANNER_NOT_AVAILABLE: "no scanner appliance was available",
  CANCELED_WITH_RESULTS: "the scan was cancelled; the results are partial",
};

/**
 * Run the WAS gate. Never throws for a Qualys or scan problem: those become an `error` or `incomplete` result.
 * Every request it makes is bounded by `options.signal` and by `options.timeoutMs` (scan-lifecycle.ts).
 */
export const runWasGate: GateRunner<WasGateApi, WasGateOptions, GateResult | LaunchedScan> =
  scopedRunner(runInScope);

async function runInScope(
  api: WasGateApi,
  options: WasGateOptions,
  policy: Policy,
  baseline: Baseline | undefined,
  apiCalls: Record<string, number>,
): Promise<GateResult | LaunchedScan> {
  const { run, ctx, name } = startGateRun(options, apiCalls);
  const { clock, signal, started, progress } = ctx;
  const warnings = run.warnings;
  let webApp: WebAppChoice | undefined;
  let scanId: number | undefined;
  let scan: GateScan | undefined;
  /** Whether this run launched `scanId` (only such a scan is cancelled without `--on-timeout cancel-attached`). */
  let launchedHere = false;
  /** What the run was doing, for the reason line when a signal or the deadline stops it. */
  let stage = "before the scan was launched";

  const scanOf = (id: number, extra: Partial<GateScan> = {}): GateScan => ({
    kind: "was",
    id: String(id),
    name: extra.name ?? (options.scanId === undefined ? options.scanName : undefined),
    reference: undefined,
    status: undefined,
    resultsStatus: undefined,
    authStatus: undefined,
    launchedDate: undefined,
    durationSec: undefined,
    target: { id: String(webApp?.id ?? ""), name: webApp?.name, url: webApp?.url },
    portalUrl: api.scanReportUrl(id),
    ...extra,
  });

  const finish = (evaluation: ReturnType<typeof evaluate>): GateResult => {
    run.scan = scan;
    return run.finish(evaluation);
  };
  /** End without findings on `at` (the scan just assigned): it could not be gated, `reason` says why. */
  const finishIncomplete = (at: GateScan, reason: string): GateResult =>
    finish(
      evaluate(
        evaluationInput(
          "was",
          {
            scan: at,
            findings: [],
            statsCounts: undefined,
            completion: { complete: false, reason },
            resultsAvailable: false,
          },
          baseline,
        ),
        policy,
        new Date(clock.now()),
        options.optionName,
      ),
    );

  const cancel = (id: number, why: string) => run.cancel(id, why, () => api.cancel(id));

  /** Poll until terminal, timeout, abort or too many failed calls in a row. */
  const poll = (id: number, deadline: number): Promise<PollPhase<WasScanStatus>> =>
    pollUntilTerminal(
      {
        id,
        status: () => api.status(id),
        statusText: (state) => state.status,
        isTerminal: (state) => WAS_TERMINAL_STATUSES.has(state.status),
        resumeHint: `${name("scanId")} ${id}`,
      },
      deadline,
      ctx,
    );

  try {
    if (options.webApp !== undefined) {
      webApp = await api.resolveWebApp(options.webApp);
      progress({ kind: "webapp", webApp });
    }
    const deadline = started + options.timeoutMs;

    if (options.scanId !== undefined) {
      scanId = options.scanId;
      progress({ kind: "attached", scanId, why: name("scanId") });
    } else {
      if (!webApp)
        throw new ToolError(
          "usage",
          optionMessage`${opt("webApp")} is required unless ${opt("scanId")} is given`,
        );
      const running: RunningScan[] = await api.runningScans(webApp.id);
      const other = running[0];
      if (other && options.onRunning === "attach") {
        scanId = other.id;
        warnings.push(
          `web app ${webApp.id} already had scan ${other.id} running; gating on it (${name("onRunning")} attach)`,
        );
        scan = scanOf(other.id, { name: other.name });
        progress({ kind: "attached", scanId, why: `scan ${other.id} was already running` });
      } else if (other && options.onRunning === "fail") {
        scan = scanOf(other.id, { name: other.name, status: other.status });
        return finishIncomplete(
          scan,
          `web app ${webApp.id} already has scan ${other.id} running (${name("onRunning")} fail)`,
        );
      } else if (other && options.onRunning === "cancel") {
        warnings.push(`${await cancel(other.id, `${name("onRunning")} cancel`)} before launching a new one`);
      } else if (other && options.onRunning === "wait") {
        progress({ kind: "waiting-for-running", scanId: other.id });
        const waited = await poll(other.id, deadline);
        if (waited.kind !== "done") {
          scan = scanOf(other.id, { name: other.name });
          return await endEarly(
            waited,
            other.id,
            `waiting for scan ${other.id} that was already running`,
            false,
            false,
          );
        }
      }
      if (scanId === undefined) {
        if (signal?.aborted) {
          scan = scanOf(0, { id: "", name: options.scanName, portalUrl: undefined });
          return finishIncomplete(
            scan,
            `${stopText(signal, options.timeoutMs)} before the scan was launched; nothing was launched`,
          );
        }
        stage = "launching the scan";
        scanId = await api.launch({
          name: options.scanName,
          type: options.type,
          webAppId: webApp.id,
          authRecord: options.authRecord,
          ...(options.optionProfileId !== undefined ? { optionProfileId: options.optionProfileId } : {}),
          scanner: options.scanner,
          ...(options.cancelAfterHours !== undefined ? { cancelAfterHours: options.cancelAfterHours } : {}),
        });
        launchedHere = true;
        progress({ kind: "launched", scanId, name: options.scanName });
      }
      if (options.noWait)
        return {
          kind: "launched",
          scanId,
          name: scan?.name ?? options.scanName,
          attached: scan !== undefined,
          webApp,
          portalUrl: api.scanReportUrl(scanId),
        };
    }
    scan ??= scanOf(scanId);

    stage = "polling";
    const phase = await poll(scanId, deadline);
    if (phase.kind !== "done") return await endEarly(phase, scanId, "polling", launchedHere);
    stage = "downloading the results";

    const final = phase.state;
    scan = {
      ...scan,
      status: final.status,
      resultsStatus: final.resultsStatus,
      authStatus: final.authStatus,
    };
    let results: WasScanResults | undefined;
    if (final.status !== "ERROR") {
      try {
        results = await api.results(scanId);
      } catch (error) {
        if (final.status === "FINISHED") throw error;
        warnings.push(`no results for the ${final.status} scan: ${describeError(error).message}`);
      }
    }
    if (results) {
      const r = results.scan;
      scan = {
        ...scan,
        name: r.name ?? scan.name,
        reference: r.reference,
        launchedDate: r.launchedDate,
        durationSec: r.scanDuration,
        resultsStatus: r.resultsStatus ?? scan.resultsStatus,
        authStatus: r.authStatus ?? scan.authStatus,
        target: {
          id: String(r.webApp?.id ?? webApp?.id ?? ""),
          name: r.webApp?.name ?? webApp?.name,
          url: r.webApp?.url ?? webApp?.url,
        },
      };
      progress({ kind: "results", scanId, vulnerabilities: results.vulns.length });
    }
    scan.durationSec ??= Math.round((clock.now() - started) / 1000);
    if (scan.authStatus === "PARTIAL")
      warnings.push(`scan ${scanId} logged in to the web application only partly (auth status PARTIAL)`);

    stage = "reading the KnowledgeBase";
    const definitions = new Map<number, VulnerabilityDefinition>();
    const qids = results?.vulns.map((v) => v.qid) ?? [];
    if (qids.length > 0) {
      try {
        for (const d of await api.definitions(qids)) definitions.set(d.qid, d);
      } catch (error) {
        run.warn(
          `KnowledgeBase unavailable (${describeError(error).message}); titles and severities come from the scan download only`,
        );
      }
    }
    const webAppId = results?.scan.webApp?.id ?? webApp?.id;
    if (qids.length > 0 && webAppId !== undefined) {
      try {
        const classes = await api.classifications(webAppId, qids);
        for (const [qid, c] of classes) {
          const known = definitions.get(qid);
          definitions.set(qid, {
            ...(known ?? emptyDefinition(qid)),
            cwe: c.cwe,
            owasp: c.owasp,
            wasc: c.wasc,
          });
        }
      } catch (error) {
        warnings.push(`CWE, OWASP and WASC classes unavailable (${describeError(error).message})`);
      }
    }
    // A signal (or the deadline) during the KnowledgeBase calls left them as warnings: the run still stops here.
    if (signal?.aborted) throw signal.reason;
    const findings: ScanFinding[] = results ? wasScanFindings(results, definitions) : [];
    const stats = results && results.vulnsTotal !== undefined ? results.vulnsByLevel : undefined;
    return finish(
      evaluate(
        evaluationInput(
          "was",
          {
            scan,
            findings,
            statsCounts: stats,
            completion: completionOf(scan, options),
            resultsAvailable: results !== undefined,
          },
          baseline,
        ),
        policy,
        new Date(clock.now()),
        options.optionName,
      ),
    );
  } catch (error) {
    if (signal?.aborted && !(error instanceof ToolError)) return await stoppedEarly();
    const { kind, message } = describeError(error, options.optionName);
    run.scan = scan;
    return run.fail(
      kind,
      scanId !== undefined && !message.includes(`scan ${scanId}`) ? `${message} (scan ${scanId})` : message,
    );
  }

  /**
   * The signal or the deadline stopped a request outside the polling (resolving, launching, downloading): the run
   * ends incomplete. A launch in flight may still have started a scan on Qualys' side: the reason says so.
   */
  async function stoppedEarly(): Promise<GateResult> {
    const why = stopText(signal, options.timeoutMs);
    if (scanId === undefined) {
      scan ??= scanOf(0, { id: "", name: options.scanName, portalUrl: undefined });
      const launching = stage === "launching the scan";
      return finishIncomplete(
        scan,
        launching
          ? `${why} while launching the scan; Qualys may have started it: look for scan "${options.scanName}" on web app ${webApp?.id}`
          : `${why} ${stage}; nothing was launched`,
      );
    }
    scan = { ...(scan ?? scanOf(scanId)), durationSec: Math.round((clock.now() - started) / 1000) };
    return finishIncomplete(scan, `${why} while ${stage} of scan ${scanId}`);
  }

  async function endEarly(
    phase: Exclude<PollPhase<WasScanStatus>, { kind: "done" }>,
    id: number,
    during: string,
    ours: boolean,
    gated = true,
  ): Promise<GateResult> {
    const reason = await earlyEndReason(phase, {
      id,
      during,
      ours,
      gated,
      onTimeout: options.onTimeout,
      timeoutMs: options.timeoutMs,
      resumeHint: `${name("scanId")} ${id}`,
      cancel: (why) => cancel(id, why),
      optionName: options.optionName,
    });
    const current = scan ?? scanOf(id);
    scan = { ...current, durationSec: Math.round((clock.now() - started) / 1000) };
    return finishIncomplete(scan, reason);
  }
}

/** A definition for a QID the KnowledgeBase did not answer for, to carry its classes. */
function emptyDefinition(qid: number): VulnerabilityDefinition {
  return {
    qid,
    title: "",
    severity: undefined,
    category: undefined,
    vulnType: undefined,
    diagnosis: undefined,
    consequence: undefined,
    solution: undefined,
    cves: [],
    cvssV2Base: undefined,
    cvssV3Base: undefined,
    cvssV3Vector: undefined,
    pci: false,
    cwe: [],
    owasp: [],
    wasc: [],
  };
}

/** Whether a finished WAS scan gave a full answer (status, results status, authentication). */
export function completionOf(
  scan: GateScan,
  options: Pick<WasGateOptions, "authRecord">,
): EvaluationInput["completion"] {
  const results = scan.resultsStatus ?? "";
  if (scan.status === "ERROR")
    return {
      complete: false,
      reason: `scan ${scan.id} ended ERROR${results ? ` (results status ${results})` : ""}`,
    };
  if (scan.status === "CANCELED")
    return {
      complete: false,
      reason: `scan ${scan.id} was canceled${results ? ` (results status ${results})` : ""}`,
    };
  if (scan.status !== "FINISHED")
    return { complete: false, reason: `scan ${scan.id} is ${scan.status ?? "in an unknown state"}` };
  if (!CLEAN_RESULTS.has(results.toUpperCase())) {
    const meaning = RESULTS_MEANING[results.toUpperCase()];
    return {
      complete: false,
      reason: `scan ${scan.id} finished with results status ${results || "(none)"}${meaning ? `: ${meaning}` : ""}`,
    };
  }
  if (scan.authStatus === "FAILED" && options.authRecord !== "none")
    return {
      complete: false,
      reason: `scan ${scan.id} could not log in to the web application (auth status FAILED)`,
    };
  return { complete: true };
}
