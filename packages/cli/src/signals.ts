/**
 * How the store commands (`sync`, `import`, `pull-reports`) stop: the first SIGINT or SIGTERM says what stopping
 * means and aborts the run, which ends after rolling back or committing its current unit of work; a second one
 * exits at once (3).
 */

import { EXIT } from "./exit-codes.js";

export interface SignalAbort {
  /** Aborted (with the signal's name as its reason) by the first signal. */
  signal: AbortSignal;
  /** Remove the handlers; call it when the run is over. */
  release(): void;
}

export function abortOnSignals(announce: (signal: NodeJS.Signals) => void): SignalAbort {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(EXIT.error);
    announce(signal);
    controller.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    release() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
