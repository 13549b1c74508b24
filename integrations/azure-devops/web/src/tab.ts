/**
 * The "Qualys" build results tab: for each gate result attached to the run, the verdict and the vulnerabilities
 * table (QID, title, severity, URL and parameter, authenticated, new, disposition), sortable and filterable, each
 * row opening the finding's detail. The same renderer as report.html; the script only sorts, filters and opens.
 */

import { renderFindingsTable, renderVerdict } from "@qualys-connector/gate";
import { element, fragmentOf, openLinksInNewWindow } from "./dom.js";
import { enhanceFindingsTable } from "./findings-table.js";
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
    // Every finding: the tab filters instead of cutting the list short.
    const html = [
      renderVerdict(loaded.result),
      renderFindingsTable(loaded.result, { maxRows: Number.POSITIVE_INFINITY }),
    ].join("\n");
    run.append(fragmentOf(html));
    const table = run.querySelector("table");
    if (table !== null) enhanceFindingsTable(table, host.resize);
    return run;
  });
  root.replaceChildren(...runs);
  openLinksInNewWindow(root);
});
