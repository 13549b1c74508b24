/**
 * What every gate runner does around a remote scan, whatever the product: poll until a terminal state, sleep
 * interruptibly, give up after N failed status calls in a row, cancel on timeout or on a signal, and build the
 * GateResult of every ending. The WAS and VM runners supply only what differs (calls, states, wording).
 */

import {
  type Clock,
  deadlineSignal,
  OptionError,
  type OptionMessage,
  withRequestScope,
} from "@qualys-connector/client";
import type { HostSummary } from "@qualys-connector/model";
import type { Baseline } from "./baseline.js";
import { describeError } from "./describe-error.js";
import type { Evaluation } from "./evaluate.js";
import type { Policy } from "./policy.js";
import { EXIT_CODES, type GateResult, type GateScan } from "./result.js";

/** Progress events for the console; `scanId` is a WAS scan id or a VM scan reference. */
export type GateProgress =
  | { kind: "webapp"; webApp: { id: number; name: string; url: string } }
  | { kind: "target"; description: string }
  | { kind: "connector"; name: string; state: string }
  | { kind: "launched"; scanId: number | string; name: string }
  | { kind: "attached"; scanId: number | string; why: string }
  | { kind: "waiting-for-running"; scanId: number | string }
  | { kind: "status"; scanId: number | string; status: string; elapsedMs: number }
  | { kind: "poll-failed"; scanId: number | string; failures: number; max: number; message: string }
  | { kind: "cancelling"; scanId: number | string; why: string }
  | { kind: "results"; scanId: number | string; vulnerabilities: number }
  | { kind: "warning"; message: string };

/** How long a gate waits and what it does at the end of the wait: the same for WAS and VM scans. */
export interface LongScanOptions {
  /** The rendered scan name (scan-name.ts). */
  scanName: string;
  pollIntervalMs: number;
  /** The run's deadline: it bounds the polling and every request the run makes (downloads included). */
  timeoutMs: number;
  /**
   * `cancel`: cancel the scan this run launched; `leave`: leave it running; `cancel-attached`: also cancel a scan
   * this run did not launch (attached with `onRunning: "attach"`, or given as `scanId`/`scanRef`), which
   * is otherwise never cancelled, neither on timeout nor on a signal.
   */
  onTimeout: "cancel" | "leave" | "cancel-attached";
  /** Consecutive failed status calls (each already retried by the client) that end the run with exit 3. */
  maxPollFailures: number;
  /** Launch, then return the scan's id or reference without waiting. */
  noWait?: boolean | undefined;
  /**
   * Aborted on SIGINT/SIGTERM: requests in flight stop at once, the scan is cancelled (if this run launched it)
   * and the result says so.
   */
  signal?: AbortSignal | undefined;
  /**
   * Aborted on a second signal: the cancel call after an abort stops too, so the result is returned at once.
   * That cancel has its own short deadline (CANCEL_DEADLINE_MS) either way.
   */
  forceSignal?: AbortSignal | undefined;
  clock: Clock;
  progress?: ((event: GateProgress) => void) | undefined;
  tool: { name: string; version: string };
  /**
   * How the run's errors write an option its caller set (`webApp`, `scanId`): by default the option's own name; a
   * command-line tool passes the flag that sets it.
   */
  optionName?: ((option: string) => string) | undefined;
}

/** A failure that ends the run as a tool error (exit 3) with its own kind, e.g. `polling`, `usage`, `connector`. */
export class ToolError extends OptionError {
  constructor(
    readonly errorKind: string,
    /** Text, or text and the options it names (a usage or connector problem). */
    message: string | OptionMessage,
  ) {
    super(message);
    this.name = "ToolError";
  }
}

/** The reason the run's signal aborts with when the run's own deadline (`timeoutMs`) passes. */
export const GATE_DEADLINE = "gate deadline";

/** How long the cancel call after a timeout or a signal may take: a CI runner kills a job soon after SIGTERM. */
export const CANCEL_DEADLINE_MS = 5000;

export function abortReason(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  return typeof reason === "string" ? reason : "interrupted";
}

/** Why the run's signal aborted, as the reason line says it: `timed out after 30m` or `SIGTERM received`. */
export function stopText(signal: AbortSignal | undefined, timeoutMs: number): string {
  return deadlinePassed(signal) ? `timed out after ${formatWait(timeoutMs)}` : abortReason(signal);
}

/** Whether the run's signal aborted because its deadline passed (rather than on a signal). */
export function deadlinePassed(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && signal.reason === GATE_DEADLINE;
}

/** A gate runner (`runWasGate`, `runVmGate`): the gate's API, its options, the policy and baseline, the call tally. */
export type GateRunner<Api, Options, Outcome> = (
  api: Api,
  options: Options,
  policy: Policy,
  baseline: Baseline | undefined,
  apiCalls: Record<string, number>,
) => Promise<Outcome>;

/**
 * A runner whose whole run is in one gate scope (`withGateScope`): `inScope` gets the options with the scope's
 * signal, so each of its requests is bounded by the caller's signal and by `options.timeoutMs`.
 */
export function scopedRunner<Api, Options extends LongScanOptions, Outcome>(
  inScope: GateRunner<Api, Options, Outcome>,
): GateRunner<Api, Options, Outcome> {
  return (api, options, policy, baseline, apiCalls) =>
    withGateScope(options, (signal) => inScope(api, { ...options, signal }, policy, baseline, apiCalls));
}

/**
 * Run a gate inside one request scope whose signal aborts on the caller's signal or when `timeoutMs` has passed
 * (reason GATE_DEADLINE), so every request of the run is bounded by both. The deadline is a real timer (split
 * when longer than a timer holds), cleared at the end.
 */
export async function withGateScope<T>(
  options: Pick<LongScanOptions, "timeoutMs" | "signal">,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const deadline = deadlineSignal(options.timeoutMs, GATE_DEADLINE, options.signal);
  try {
    return await withRequestScope({ signal: deadline.signal }, () => run(deadline.signal));
  } finally {
    deadline.clear();
  }
}

/** Sleep, waking early (and clearing the timer) when the signal aborts. */
export async function pause(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    // The race also covers clocks that ignore the signal (test clocks).
    await Promise.race([clock.sleep(ms, signal), aborted]);
  } finally {
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}

/** `45s`, `90m`, `24h00m`: as users type timeouts. */
export function formatWait(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m}m` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

export type PollPhase<S> =
  | { kind: "done"; state: S }
  | { kind: "timeout" }
  | { kind: "aborted"; why: string }
  | { kind: "poll-error"; message: string };

export interface PollSpec<S> {
  /** Shown in messages: the scan id or reference. */
  id: number | string;
  status: () => Promise<S>;
  statusText: (state: S) => string;
  isTerminal: (state: S) => boolean;
  /** How to gate the scan later, e.g. `--scan-id 42`. */
  resumeHint: string;
}

export interface RunContext {
  clock: Clock;
  signal: AbortSignal | undefined;
  started: number;
  pollIntervalMs: number;
  maxPollFailures: number;
  progress: (event: GateProgress) => void;
}

/**
 * A `count` for `wasGateApi`/`vmGateApi` that tallies the calls by purpose into `apiCalls`, the map a runner
 * reports in result.json.
 */
export function countCalls(apiCalls: Record<string, number>): (purpose: string) => void {
  return (purpose) => {
    apiCalls[purpose] = (apiCalls[purpose] ?? 0) + 1;
  };
}

/** The start of a runner's run: its state (`GateRun`) and the context its polling reads, both from its options. */
export function startGateRun(
  options: LongScanOptions,
  apiCalls: Record<string, number>,
): {
  run: GateRun;
  ctx: RunContext;
  /** How the run's texts write an option: the caller's `optionName`, else the option's own name. */
  name: (option: string) => string;
} {
  const { clock, signal } = options;
  const progress = options.progress ?? (() => {});
  const ctx: RunContext = {
    clock,
    signal,
    started: clock.now(),
    pollIntervalMs: options.pollIntervalMs,
    maxPollFailures: options.maxPollFailures,
    progress,
  };
  return {
    run: new GateRun(options.tool, clock, apiCalls, progress, options.forceSignal),
    ctx,
    name: options.optionName ?? ((option: string) => option),
  };
}

/** Poll until a terminal state, the deadline, an abort, or `maxPollFailures` failed status calls in a row. */
export async function pollUntilTerminal<S>(
  spec: PollSpec<S>,
  deadline: number,
  ctx: RunContext,
): Promise<PollPhase<S>> {
  const { clock, signal } = ctx;
  let failures = 0;
  const stopped = (): PollPhase<S> =>
    deadlinePassed(signal) ? { kind: "timeout" } : { kind: "aborted", why: abortReason(signal) };
  for (;;) {
    if (signal?.aborted) return stopped();
    try {
      const state = await spec.status();
      failures = 0;
      ctx.progress({
        kind: "status",
        scanId: spec.id,
        status: spec.statusText(state),
        elapsedMs: clock.now() - ctx.started,
      });
      if (spec.isTerminal(state)) return { kind: "done", state };
    } catch (error) {
      // A status call stopped by the signal or the deadline is no failed poll.
      if (signal?.aborted) return stopped();
      failures += 1;
      const message = describeError(error).message;
      ctx.progress({ kind: "poll-failed", scanId: spec.id, failures, max: ctx.maxPollFailures, message });
      if (failures >= ctx.maxPollFailures)
        return {
          kind: "poll-error",
          message: `${failures} status calls in a row failed (last: ${message}); scan ${spec.id} was left running; gate it later with ${spec.resumeHint}`,
        };
    }
    if (signal?.aborted) return stopped();
    const remaining = deadline - clock.now();
    if (remaining <= 0) return { kind: "timeout" };
    await pause(clock, Math.min(ctx.pollIntervalMs, remaining), signal);
  }
}

/**
 * The state of one gate run: warnings gathered on the way, the scan as known so far, and the builders of its
 * result, whichever way it ends.
 */
export class GateRun {
  readonly warnings: string[] = [];
  scan: GateScan | undefined;
  hosts: HostSummary[] | undefined;

  constructor(
    private readonly tool: GateResult["tool"],
    private readonly clock: Clock,
    private readonly apiCalls: Record<string, number>,
    private readonly progress: (event: GateProgress) => void,
    /** Stops the cancel call at once (a second signal). */
    private readonly forceSignal?: AbortSignal | undefined,
  ) {}

  warn(message: string): void {
    this.warnings.push(message);
    this.progress({ kind: "warning", message });
  }

  finish(evaluation: Evaluation): GateResult {
    return {
      schemaVersion: 1,
      tool: this.tool,
      generatedAt: new Date(this.clock.now()).toISOString(),
      ...evaluation,
      ...(this.hosts ? { hosts: this.hosts } : {}),
      exitCode: EXIT_CODES[evaluation.verdict],
      scan: this.scan,
      warnings: [...this.warnings, ...evaluation.warnings],
      error: undefined,
      apiCalls: this.apiCalls,
    };
  }

  fail(kind: string, message: string): GateResult {
    return {
      schemaVersion: 1,
      tool: this.tool,
      generatedAt: new Date(this.clock.now()).toISOString(),
      verdict: "error",
      exitCode: EXIT_CODES.error,
      reason: `error: ${message}`,
      scan: this.scan,
      incomplete: undefined,
      resultsAvailable: false,
      severityCounts: {
        counted: [0, 0, 0, 0, 0],
        notCounted: { excluded: [0, 0, 0, 0, 0], excepted: [0, 0, 0, 0, 0], potential: [0, 0, 0, 0, 0] },
        inBaseline: undefined,
        fromFindings: [0, 0, 0, 0, 0],
        fromStats: undefined,
        differ: false,
      },
      criteria: [],
      findings: [],
      exceptions: [],
      warnings: this.warnings,
      error: { kind, message },
      apiCalls: this.apiCalls,
    };
  }

  /**
   * Cancel a scan; returns the words for the reason line. A failed cancel is a warning, not a crash. The call runs
   * in its own request scope (the run's has usually aborted by now), bounded by CANCEL_DEADLINE_MS and the force
   * signal.
   */
  async cancel(id: number | string, why: string, call: () => Promise<void>): Promise<string> {
    this.progress({ kind: "cancelling", scanId: id, why });
    const bound = deadlineSignal(CANCEL_DEADLINE_MS, "the cancel call took too long", this.forceSignal);
    try {
      await withRequestScope({ signal: bound.signal }, call);
      return `scan ${id} cancelled`;
    } catch (error) {
      this.warn(`could not cancel scan ${id}: ${describeError(error).message}`);
      return `scan ${id} may still be running (cancel failed)`;
    } finally {
      bound.clear();
    }
  }
}

/**
 * Why a run ended before its scan finished, as the reason line says it. The scan this run launched is cancelled
 * on timeout (unless `leave`) and on a signal. A scan it did not launch is cancelled only with `cancel-attached`
 * (`gated`: the run gates it, attached or given by id) and never when the run only waited for it to end
 * (`onRunning: "wait"`).
 */
export async function earlyEndReason(
  phase: Exclude<PollPhase<unknown>, { kind: "done" }>,
  how: {
    id: number | string;
    during: string;
    /** This run launched the scan. */
    ours: boolean;
    /** The run gates this scan (false: it only waited for it before launching its own). */
    gated?: boolean;
    onTimeout: LongScanOptions["onTimeout"];
    timeoutMs: number;
    resumeHint: string;
    cancel: (why: string) => Promise<string>;
    optionName?: LongScanOptions["optionName"];
  },
): Promise<string> {
  const onTimeout = (how.optionName ?? ((option: string) => option))("onTimeout");
  if (phase.kind === "poll-error") throw new ToolError("polling", phase.message);
  const why = phase.kind === "timeout" ? `timed out after ${formatWait(how.timeoutMs)}` : phase.why;
  if (!how.ours && how.gated === false)
    return `${why} while ${how.during}; that scan was left running and no scan was launched`;
  if (!how.ours && how.onTimeout !== "cancel-attached")
    return `${why} while ${how.during}; scan ${how.id} was not launched by this run, so it was left running (${onTimeout} cancel-attached cancels it); gate it later with ${how.resumeHint}`;
  if (phase.kind === "timeout" && how.onTimeout === "leave")
    return `${why} while ${how.during}; scan ${how.id} left running (${onTimeout} leave); gate it later with ${how.resumeHint}`;
  return `${why} while ${how.during}; ${await how.cancel(phase.kind === "timeout" ? "timeout" : phase.why)}`;
}
