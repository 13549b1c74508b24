/**
 * The build results section on the run's Summary tab: for each gate result attached to the run, the verdict, the
 * scan details, the severity chart (and, for VM scans, the hosts) and the pass/fail criteria with ✓/✗, configured
 * and actual values, warnings, then the links (the Qualys portal from the scan details, and the Qualys tab). The
 * same renderer as report.html.
 */

import {
  renderCriteriaTable,
  renderHostsTable,
  renderScanDetails,
  renderSeverityChart,
  renderVerdict,
  renderWarnings,
} from "@qualys-connector/gate";
import { element, fragmentOf, openLinksInNewWindow } from "./dom.js";
import type { Host } from "./host.js";
import { resultHeading } from "./results.js";
import { runView } from "./view.js";

void runView((root, results, host) => {
  const runs = results.map((loaded) => {
    const run = element("section", undefined, "run");
    run.append(element("h2", resultHeading(loaded), "run-title"));
    if (!("result" in loaded)) {
      run.append(element("p", loaded.problem, "message error"));
      return run;
    }
    const { result } = loaded;
    const parts = [
      renderVerdict(result),
      renderScanDetails(result),
      renderSeverityChart(result),
      // VM results: the per-host summary (undefined for WAS).
      renderHostsTable(result),
      renderCriteriaTable(result),
      renderWarnings(result),
    ].filter((part): part is string => part !== undefined);
    run.append(fragmentOf(parts.join("\n")), tabLink(host, result.findings.length));
    return run;
  });
  root.replaceChildren(...runs);
  openLinksInNewWindow(root);
});

function tabLink(host: Host, findings: number): HTMLElement {
  const links = element("p", undefined, "links");
  if (host.openTab === undefined) return links;
  const button = element(
    "button",
    `Open the Qualys tab: ${findings} ${findings === 1 ? "vulnerability" : "vulnerabilities"} with their details`,
    "link-button",
  );
  button.type = "button";
  button.addEventListener("click", host.openTab);
  links.append(button);
  return links;
}
