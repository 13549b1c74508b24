/**
 * A gate's progress as log lines for the CI tasks (Azure DevOps, GitHub Actions): one line per event, a status
 * line only when the status changes. Lines hold scanned data (web app names and URLs), so the caller prints them
 * through `logSafe`.
 */

import type { GateProgress } from "./scan-lifecycle.js";

/** One progress event as a line of text (not yet log-safe). */
export function progressLine(event: GateProgress): string {
  switch (event.kind) {
    case "webapp":
      return `web app ${event.webApp.id} "${event.webApp.name}" ${event.webApp.url}`;
    case "target":
      return `target: ${event.description}`;
    case "connector":
      return `EC2 connector "${event.name}": ${event.state}`;
    case "launched":
      return `launched scan ${event.scanId} "${event.name}"`;
    case "attached":
      return `gating scan ${event.scanId} (${event.why})`;
    case "waiting-for-running":
      return `waiting for scan ${event.scanId}, already running on this web app`;
    case "status":
      return `scan ${event.scanId}: ${event.status} (${Math.round(event.elapsedMs / 1000)}s elapsed)`;
    case "poll-failed":
      return `status call failed (${event.failures}/${event.max} in a row): ${event.message}`;
    case "cancelling":
      return `cancelling scan ${event.scanId} (${event.why})`;
    case "results":
      return `downloaded results of scan ${event.scanId}: ${event.vulnerabilities} vulnerabilities`;
    case "warning":
      return `warning: ${event.message}`;
  }
}

/** A progress handler that writes each event's line with `write`, skipping a status that did not change. */
export function progressLines(write: (line: string) => void): (event: GateProgress) => void {
  let lastStatus = "";
  return (event) => {
    if (event.kind === "status") {
      if (event.status === lastStatus) return;
      lastStatus = event.status;
    }
    write(progressLine(event));
  };
}
