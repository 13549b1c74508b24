import {
  fromResultFile,
  type GateResult,
  type GateResultFile,
  renderCriteriaTable,
  renderFindingsTable,
  renderScanDetails,
  renderSeverityChart,
  renderVerdict,
} from "@qualys-connector/gate";
import type { GateRunRow, GateRunSummary } from "../gate-runs.js";
import { html, trusted } from "../html.js";
import { layout, severityPills, when } from "./layout.js";

/** The list of recorded gate runs, newest first, filterable by kind and by web app or host (`target`). */
export function gateRunsPage(
  params: URLSearchParams,
  runs: GateRunSummary[],
  next: number | undefined,
  filtered: boolean,
): string {
  const value = (name: string) => params.get(name) ?? "";
  const nextParams = new URLSearchParams(params);
  if (next !== undefined) nextParams.set("before", String(next));
  const body = html`<h1>Gate runs</h1>
${
  runs.length > 0
    ? ""
    : filtered
      ? html`<p class="muted">No gate run matches.</p>`
      : html`<p class="muted">This store records no gate runs (run <code>scan was</code>, <code>scan vm</code> or <code>evaluate</code> with <code>--db</code> to record them).</p>`
}
<form class="filters" method="get" action="/gate-runs">
<label>Kind<select name="kind"><option value="">any</option>${["was", "vm"].map(
    (k) => html`<option value="${k}"${value("kind") === k ? " selected" : ""}>${k.toUpperCase()}</option>`,
  )}</select></label>
<label>Web app or host<input type="text" name="target" value="${value("target")}"></label>
<div class="actions"><button type="submit">Apply</button><a href="/gate-runs">Clear</a></div>
</form>
<table id="gate-runs"><thead><tr><th>Run</th><th>Kind</th><th>Web app or host</th><th>Command</th><th>Scan</th><th>Verdict</th><th>Exit</th><th>Findings (5 4 3 2 1)</th><th>Finished</th></tr></thead><tbody>
${runs.map(
  (r) => html`<tr class="verdict-${r.verdict}">
<td class="num"><a href="/gate-runs/${r.id}">${r.id}</a></td><td>${r.kind.toUpperCase()}</td>
<td class="wrap"><a href="/gate-runs?target=${encodeURIComponent(r.targetKey)}">${r.targetName ?? r.targetKey}</a></td>
<td>${r.command}</td><td class="wrap">${r.scanRef ?? r.scanId ?? ""}</td><td>${r.verdict}</td><td class="num">${r.exitCode}</td>
<td>${severityPills(Object.fromEntries(Object.entries(r.counts).map(([k, v]) => [Number(k), v])))}</td>
<td>${when(r.finishedAt ?? r.recordedAt)}</td></tr>`,
)}
</tbody></table>
<div class="pager">${next !== undefined ? html`<a rel="next" href="/gate-runs?${nextParams.toString()}">Older runs</a>` : ""}</div>`;
  return layout("Gate runs", "gate-runs", body);
}

/** The run's result, as the gate wrote it (redacted). */
export function gateRunResult(row: GateRunRow): GateResult {
  return fromResultFile(JSON.parse(row.resultJson) as GateResultFile);
}

/**
 * One gate run in the two views of report.html, with the gate's own renderers: the Summary (verdict banner, scan
 * details, severity chart, criteria table) and the Vulnerabilities (findings table with each finding's detail).
 */
export function gateRunPage(
  row: GateRunRow,
  result: GateResult,
  view: "summary" | "vulnerabilities",
): string {
  const tabs = html`<nav class="tabs"><a href="/gate-runs">← All gate runs</a><a href="/gate-runs/${row.id}" class="${view === "summary" ? "current" : ""}">Summary</a><a href="/gate-runs/${row.id}/vulnerabilities" class="${view === "vulnerabilities" ? "current" : ""}">Vulnerabilities</a></nav>`;
  const sections =
    view === "summary"
      ? [
          renderVerdict(result),
          renderScanDetails(result),
          renderSeverityChart(result),
          renderCriteriaTable(result),
        ]
      : [renderVerdict(result), renderFindingsTable(result)];
  const body = html`${tabs}
<p class="muted">Run ${row.id} · ${row.command} · ${row.targetName ?? row.targetKey} · recorded ${when(row.recordedAt)}</p>
${sections.map((s) => trusted(s))}`;
  return layout(`Gate run ${row.id}`, "gate-runs", body);
}
