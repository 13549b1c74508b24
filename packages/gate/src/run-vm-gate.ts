/**
 * The VM gate runner (like Qualys' Host Scanning connector for Jenkins, jenkinsci/qualys-vm-plugin):
 * optionally run the EC2 connector and check the instances, launch a VM scan on host IPs or EC2 instances (or
 * attach to one), poll it, cancel it on timeout or interruption, fetch `json_extended`, complete the rows
 * from the KnowledgeBase and evaluate. Like the WAS runner, it always returns a complete GateResult.
 */

import type { VmScanResults, VmScanState } from "@qualys-connector/client";
import {
  type ScanFinding,
  type VulnerabilityDefinition,
  vmHostSummaries,
  vmQidsNeedingDefinitions,
  vmScanFindings,
} from "@qualys-connector/model";
import type { Baseline } from "./baseline.js";
import { describeError } from "./describe-error.js";
import { type EvaluationInput, evaluate, evaluationInput } from "./evaluate.js";
import { toIsoUtc } from "./iso-date.js";
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
import type { Ec2Connector, VmGateApi } from "./vm-gate-api.js";

export interface VmGateOptions extends LongScanOptions {
  /** Host IPs (or ranges), when scanning hosts. */
  ips: string[];
  networkId?: number | undefined;
  ec2?: { instanceIds: string[]; connector: string; endpoint: string; runConnector: boolean } | undefined;
  /** Gate an existing scan instead of launching one (`--scan-ref`). */
  scanRef?: string | undefined;
  /** Undefined: the subscription's default option profile. */
  optionProfile?: { id: number } | { title: string } | undefined;
  scanner: { kind: "external" } | { kind: "name"; name: string } | { kind: "all-in-network" };
}

/** What `--no-wait` returns: the scan to gate later with `--scan-ref`. */
export interface LaunchedVmScan {
  kind: "launched";
  scanRef: string;
  name: string;
  target: string;
}

/** Scan states after which a VM scan changes no more (docs/qualys-api.md 4.3; JVM polls until these). */
const TERMINAL = new Set(["finished", "error", "canceled"]);
/** Connector run outcomes (docs/qualys-api.md 4.4). */
const CONNECTOR_OK = new Set(["FINISHED_SUCCESS", "SUCCESS"]);
const CONNECTOR_FAILED = new Set(["FINISHED_ERRORS", "ERROR", "INCOMPLETE", "DISABLED"]);
/** A run in progress is waited for, not started again (JVM does the same). */
const CONNECTOR_BUSY = new Set(["RUNNING", "PENDING", "QUEUED", "PROCESSING"]);

/** `YYYY-MM-DDTHH:MM:SSZ`, the form VM v2 date filters take. */
function v2Date(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** The scanned IPs and ranges of a scan list TARGET or a summary's `ips` ("10.0.0.1, 10.0.0.2-10.0.0.5"). */
function ipList(text: string | undefined): string[] {
  return (text ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

/** "00:12:34" to seconds. */
function durationSeconds(text: string | undefined): number | undefined {
  const match = /^(\d+):(\d{2}):(\d{2})$/.exec(text?.trim() ?? "");
  if (!match) return undefined;
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

/**
 * Run the VM gate. Never throws for a Qualys or scan problem: those become an `error` or `incomplete` result.
 * Every request it makes is bounded by `options.signal` and by `options.timeoutMs` (scan-lifecycle.ts).
 */
export const runVmGate: GateRunner<VmGateApi, VmGateOptions, GateResult | LaunchedVmScan> =
  scopedRunner(runInScope);

async function runInScope(
  api: VmGateApi,
  options: VmGateOptions,
  policy: Policy,
  baseline: Baseline | undefined,
  apiCalls: Record<string, number>,
): Promise<GateResult | LaunchedVmScan> {
  const { run, ctx, name } = startGateRun(options, apiCalls);
  const { clock, signal, started, progress } = ctx;
  const deadline = started + options.timeoutMs;
  const targetId = options.ec2 ? options.ec2.instanceIds.join(",") : options.ips.join(",");
  // IP targets need no second name; EC2 targets are named with their connector and region.
  const ec2Name = (connector: string) =>
    options.ec2
      ? `EC2 ${options.ec2.instanceIds.join(", ")} (connector ${connector}, ${options.ec2.endpoint})`
      : undefined;
  let targetName = ec2Name(options.ec2?.connector ?? "");

  const scanOf = (ref: string, extra: Partial<GateScan> = {}): GateScan => ({
    kind: "vm",
    id: ref,
    name: options.scanRef === undefined ? options.scanName : undefined,
    reference: ref,
    status: undefined,
    resultsStatus: undefined,
    authStatus: undefined,
    launchedDate: undefined,
    durationSec: undefined,
    target: { id: targetId, name: targetName, url: undefined },
    portalUrl: undefined,
    ...extra,
  });

  const incomplete = (reason: string): GateResult =>
    run.finish(
      evaluate(
        evaluationInput(
          "vm",
          {
            scan: run.scan,
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

  let ref: string | undefined;
  let connectorName: string | undefined;
  /** What the run was doing, for the reason line when a signal or the deadline stops it. */
  let stage = "before the scan was launched";
  try {
    if (signal?.aborted && options.scanRef === undefined) {
      run.scan = scanOf("", { id: "" });
      return incomplete(
        `${stopText(signal, options.timeoutMs)} before the scan was launched; nothing was launched`,
      );
    }
    if (options.ec2 && options.scanRef === undefined) {
      const early = await prepareEc2(options.ec2);
      if (early !== undefined) return early;
    }

    if (options.scanRef !== undefined) {
      ref = options.scanRef;
      progress({ kind: "attached", scanId: ref, why: name("scanRef") });
    } else {
      if (signal?.aborted) {
        run.scan = scanOf("", { id: "" });
        return incomplete(
          `${stopText(signal, options.timeoutMs)} before the scan was launched; nothing was launched`,
        );
      }
      const params = await launchParams();
      stage = "launching the scan";
      ref = await api.launch(params, v2Date(started - 60_000));
      progress({ kind: "launched", scanId: ref, name: options.scanName });
      if (options.noWait)
        return { kind: "launched", scanRef: ref, name: options.scanName, target: targetName ?? targetId };
    }
    const scanRef = ref;
    run.scan = scanOf(scanRef);
    stage = "polling";

    const phase = await pollUntilTerminal<VmScanState | undefined>(
      {
        id: scanRef,
        status: () => api.state(scanRef),
        statusText: (s) => (s ? `${s.state}${s.subState ? ` (${s.subState})` : ""}` : "not listed yet"),
        isTerminal: (s) => s !== undefined && TERMINAL.has(s.state.toLowerCase()),
        resumeHint: `${name("scanRef")} ${scanRef}`,
      },
      deadline,
      ctx,
    );
    if (phase.kind !== "done") return await endEarly(phase, scanRef);
    stage = "downloading the results";
    const final = phase.state;
    const state = final?.state ?? "";
    // A scan gated with --scan-ref was launched by someone else: its hosts are what the scan list says it targets.
    const targetIps = options.scanRef !== undefined && !options.ec2 ? ipList(final?.target) : [];
    run.scan = {
      ...run.scan,
      status: state,
      resultsStatus: final?.subState,
      name: final?.title ?? run.scan.name,
      launchedDate: toIsoUtc(final?.launchDatetime),
      ...(targetIps.length > 0 ? { target: { ...run.scan.target, id: targetIps.join(",") } } : {}),
    };

    let results: VmScanResults | undefined;
    if (state.toLowerCase() !== "error") {
      try {
        results = await api.results(scanRef);
      } catch (error) {
        if (state.toLowerCase() === "finished") throw error;
        run.warn(`no results for the ${state} scan: ${describeError(error).message}`);
      }
    }
    if (results) {
      run.scan = {
        ...run.scan,
        launchedDate: run.scan.launchedDate ?? toIsoUtc(results.summary.launch_date),
        durationSec: durationSeconds(results.summary.duration),
      };
      if (run.scan.target.id === "") {
        const ips = ipList(results.summary.ips);
        if (ips.length > 0) run.scan = { ...run.scan, target: { ...run.scan.target, id: ips.join(",") } };
      }
      progress({
        kind: "results",
        scanId: scanRef,
        vulnerabilities: results.rows.filter((r) => (r.type ?? "").toLowerCase() !== "ig").length,
      });
    }
    run.scan.durationSec ??= Math.round((clock.now() - started) / 1000);

    stage = "reading the KnowledgeBase";
    const definitions = new Map<number, VulnerabilityDefinition>();
    const wanted = results ? vmQidsNeedingDefinitions(results) : [];
    if (wanted.length > 0) {
      try {
        for (const d of await api.definitions(wanted)) definitions.set(d.qid, d);
      } catch (error) {
        run.warn(
          `KnowledgeBase unavailable (${describeError(error).message}); the scan's own fields are used`,
        );
      }
    }
    // A signal (or the deadline) during the KnowledgeBase calls left them as warnings: the run still stops here.
    if (signal?.aborted) throw signal.reason;
    const findings: ScanFinding[] = results ? vmScanFindings(results, definitions) : [];
    if (results) {
      const listed = options.scanRef === undefined ? options.ips : run.scan.target.id.split(",");
      run.hosts = vmHostSummaries(results, options.ec2 ? [] : plainIps(listed), definitions);
    }
    return run.finish(
      evaluate(
        evaluationInput(
          "vm",
          {
            scan: run.scan,
            findings,
            // VM scans report no separate statistics: the rows are the counts.
            statsCounts: undefined,
            completion: completionOfVm(run.scan, results),
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
    if (signal?.aborted && !(error instanceof ToolError)) return stoppedEarly();
    const { kind, message } = describeError(error, options.optionName);
    return run.fail(kind, ref !== undefined && !message.includes(ref) ? `${message} (scan ${ref})` : message);
  }

  /**
   * The signal or the deadline stopped a request outside the polling (connector, launch, download): the run ends
   * incomplete. A launch in flight may still have started a scan on Qualys' side: the reason says so.
   */
  function stoppedEarly(): GateResult {
    const why = stopText(signal, options.timeoutMs);
    if (ref === undefined) {
      run.scan ??= scanOf("", { id: "", name: options.scanName });
      return incomplete(
        stage === "launching the scan"
          ? `${why} while launching the scan; Qualys may have started it: look for scan "${options.scanName}"`
          : `${why} ${stage}; nothing was launched`,
      );
    }
    run.scan = { ...(run.scan ?? scanOf(ref)), durationSec: Math.round((clock.now() - started) / 1000) };
    return incomplete(`${why} while ${stage} of scan ${ref}`);
  }

  async function launchParams(): Promise<Record<string, string> & { scan_title: string }> {
    const params: Record<string, string> & { scan_title: string } = { scan_title: options.scanName };
    const profile = options.optionProfile;
    if (profile && "id" in profile) params.option_id = String(profile.id);
    else if (profile) params.option_title = profile.title;
    else {
      // Qualys requires option_id or option_title (docs/qualys-api.md 4.3); without one the Jenkins VM
      // connector uses the default profile.
      const chosen = await api.defaultOptionProfile();
      if (chosen) params.option_id = String(chosen.id);
      else run.warn("no default VM option profile was found; Qualys chooses one");
    }
    if (options.scanner.kind === "name") params.iscanner_name = options.scanner.name;
    else if (options.scanner.kind === "all-in-network") params.scanners_in_network = "1";
    if (options.ec2) {
      params.ec2_instance_ids = options.ec2.instanceIds.join(",");
      params.connector_name = connectorName ?? options.ec2.connector;
      params.ec2_endpoint = options.ec2.endpoint;
    } else {
      params.ip = options.ips.join(",");
      if (options.networkId !== undefined) params.ip_network_id = String(options.networkId);
    }
    return params;
  }

  /** Find the connector, run it when asked (waiting for a run in progress), check the instances are running. */
  async function prepareEc2(ec2: NonNullable<VmGateOptions["ec2"]>): Promise<GateResult | undefined> {
    const connector: Ec2Connector = await api.findConnector(ec2.connector);
    // Qualys takes the connector by name in the launch (connector_name), whatever the user typed; the caller's
    // options are left as they were.
    connectorName = connector.name;
    targetName = ec2Name(connector.name);
    progress({ kind: "connector", name: connector.name, state: connector.state ?? "unknown" });
    if (connector.disabled || connector.state === "DISABLED")
      throw new ToolError(
        "connector",
        `EC2 connector "${connector.name}" (${connector.id}) is disabled; enable it in Qualys before scanning its instances`,
      );
    if (ec2.runConnector) {
      const busy = CONNECTOR_BUSY.has(connector.state ?? "");
      if (!busy) {
        const answer = await api.runConnector(connector.id);
        if (answer === "DISABLED")
          throw new ToolError(
            "connector",
            `EC2 connector "${connector.name}" refused to run: it is disabled`,
          );
      }
      run.scan = scanOf("", { id: "", name: options.scanName });
      const phase = await pollUntilTerminal<string | undefined>(
        {
          id: `connector ${connector.name}`,
          status: () => api.connectorState(connector.id),
          statusText: (s) => `connector ${s ?? "unknown"}`,
          isTerminal: (s) => CONNECTOR_OK.has(s ?? "") || CONNECTOR_FAILED.has(s ?? ""),
          resumeHint: `${name("ec2.runConnector")} again`,
        },
        deadline,
        ctx,
      );
      if (phase.kind === "poll-error") throw new ToolError("polling", phase.message);
      if (phase.kind === "timeout")
        return incomplete(
          `timed out waiting for EC2 connector "${connector.name}" to finish; no scan was launched`,
        );
      if (phase.kind === "aborted")
        return incomplete(`${phase.why} while the EC2 connector ran; no scan was launched`);
      if (!CONNECTOR_OK.has(phase.state ?? ""))
        throw new ToolError(
          "connector",
          `EC2 connector "${connector.name}" run ended ${phase.state}; its instances may be out of date, so no scan was launched`,
        );
    }
    const states = await api.instanceStates(ec2.instanceIds);
    const problems = ec2.instanceIds.flatMap((id) => {
      const state = states.get(id);
      if (!states.has(id))
        return [
          `EC2 instance ${id} is not known to connector "${connector.name}" (run it with ${name("ec2.runConnector")})`,
        ];
      return state?.toUpperCase() === "RUNNING"
        ? []
        : [`EC2 instance ${id} is ${state ?? "in an unknown state"}, not running`];
    });
    if (problems.length > 0) {
      run.scan = scanOf("", { id: "", name: options.scanName });
      return incomplete(`${problems.join("; ")}; no scan was launched`);
    }
    return undefined;
  }

  async function endEarly(
    phase: Exclude<PollPhase<unknown>, { kind: "done" }>,
    scanRef: string,
  ): Promise<GateResult> {
    const reason = await earlyEndReason(phase, {
      id: scanRef,
      during: "polling",
      // A scan handed to us with --scan-ref was not launched by this run: cancelled only with cancel-attached.
      ours: options.scanRef === undefined,
      onTimeout: options.onTimeout,
      timeoutMs: options.timeoutMs,
      resumeHint: `${name("scanRef")} ${scanRef}`,
      cancel: (why) => run.cancel(scanRef, why, () => api.cancel(scanRef)),
      optionName: options.optionName,
    });
    run.scan = { ...(run.scan ?? scanOf(scanRef)), durationSec: Math.round((clock.now() - started) / 1000) };
    return incomplete(reason);
  }
}

/** Single addresses of the IP list (ranges are left to the rows), to list hosts that gave no row. */
function plainIps(ips: readonly string[]): string[] {
  return ips.filter((ip) => /^[\d.]+$|^[0-9a-f:]+$/i.test(ip));
}

/**
 * Whether a finished VM scan gave a full answer: not Error or Canceled, and every host alive (the Jenkins VM
 * connector's criteria).
 */
export function completionOfVm(
  scan: GateScan,
  results: VmScanResults | undefined,
): EvaluationInput["completion"] {
  const state = (scan.status ?? "").toLowerCase();
  if (state === "error") return { complete: false, reason: `scan ${scan.id} ended Error` };
  if (state === "canceled") return { complete: false, reason: `scan ${scan.id} was canceled` };
  if (state !== "finished")
    return { complete: false, reason: `scan ${scan.id} is ${scan.status ?? "in an unknown state"}` };
  if ((scan.resultsStatus ?? "").toLowerCase() === "no_host")
    return {
      complete: false,
      reason: `scan ${scan.id} finished but the host was not alive (SUB_STATE No_Host)`,
    };
  const dead = results?.notes.hosts_not_scanned_host_not_alive_ip;
  if (dead)
    return { complete: false, reason: `scan ${scan.id} finished but these hosts were not alive: ${dead}` };
  return { complete: true };
}
