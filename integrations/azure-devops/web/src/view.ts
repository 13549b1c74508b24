/**
 * The life of a view: connect to the host, read the build's gate results, draw them (or say why not), and tell
 * the host how it went. The section and the tab differ only in `draw`.
 */

import { showMessage } from "./dom.js";
import { connectHost, type Host } from "./host.js";
import { type LoadedResult, loadResults } from "./results.js";

/** Shown when the run has no result attachment. */
export const NO_RESULTS_MESSAGE =
  "No Qualys scan result is attached to this run. The Qualys scan tasks attach one when they finish; a run without a Qualys task, or whose task stopped before it wrote its result, has none.";

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs a view in the element with id `root`. */
export async function runView(
  draw: (root: HTMLElement, results: LoadedResult[], host: Host) => void,
): Promise<void> {
  const root = document.getElementById("root");
  if (root === null) return;
  let host: Host;
  try {
    host = await connectHost();
  } catch (error) {
    showMessage(root, `Could not connect to Azure DevOps: ${describe(error)}`, "message error");
    return;
  }
  try {
    const attachments = await host.resultAttachments();
    if (attachments.length === 0) showMessage(root, NO_RESULTS_MESSAGE);
    else draw(root, loadResults(attachments), host);
    host.loaded();
  } catch (error) {
    const reason = `Could not read the Qualys results of this run: ${describe(error)}`;
    showMessage(root, reason, "message error");
    host.failed(reason);
  }
}
