import { severityChartSvg } from "@qualys-connector/gate";
import type { SeverityCounts } from "@qualys-connector/model";
import type { Overview } from "@qualys-connector/store";
import { type Html, html, trusted } from "../html.js";
import { layout, when } from "./layout.js";

/** New and fixed findings per month as SVG bars (attributes only: the CSP allows no inline style). */
function timelineSvg(timeline: Overview["timeline"]): Html {
  if (timeline.length === 0) return html`<p class="muted">No detection dates stored.</p>`;
  const largest = Math.max(1, ...timeline.map((m) => Math.max(m.detected, m.fixed)));
  const column = 44;
  const height = 140;
  const width = timeline.length * column + 10;
  const bars = timeline.map((m, i) => {
    const x = i * column + 6;
    const detected = Math.round((m.detected / largest) * (height - 30));
    const fixed = Math.round((m.fixed / largest) * (height - 30));
    return html`<g><rect class="detected" x="${x}" y="${height - 18 - detected}" width="16" height="${detected}"><title>${m.month}: ${m.detected} first detected</title></rect><rect class="fixed" x="${x + 18}" y="${height - 18 - fixed}" width="16" height="${fixed}"><title>${m.month}: ${m.fixed} fixed</title></rect><text x="${x}" y="${height - 4}">${m.month.slice(2)}</text></g>`;
  });
  return html`<svg class="timeline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Findings first detected and fixed per month">${bars}</svg>
<p class="note"><span class="legend-detected">■</span> first detected · <span class="legend-fixed">■</span> fixed, per month (last 24 months with data)</p>`;
}

export function overviewPage(overview: Overview): string {
  const counts: SeverityCounts = [1, 2, 3, 4, 5].map((s) => overview.bySeverity[s] ?? 0) as SeverityCounts;
  const total = counts.reduce((a, b) => a + b, 0);
  const body = html`<h1>Overview</h1>
${overview.timedOut.length > 0 ? html`<p class="differs">Left out (over the time budget): ${overview.timedOut.join(", ")}</p>` : ""}
<div class="cards">
<div class="card"><div class="muted">Open findings</div><div class="n">${total}</div></div>
${overview.bySeverityLabel.map((l) => html`<div class="card"><div class="muted">${l.label}</div><div class="n">${l.count}</div></div>`)}
</div>
<div class="grid2">
<section><h2>Open findings by severity</h2>${trusted(severityChartSvg(counts, "Open findings by severity"))}</section>
<section><h2>By status</h2><table><thead><tr><th>Status</th><th>Findings</th></tr></thead><tbody>
${overview.byStatus.map((s) => html`<tr><td><a href="/findings?status=${encodeURIComponent(s.status)}">${s.status}</a></td><td class="num">${s.count}</td></tr>`)}
</tbody></table></section>
</div>
<h2>New vs fixed over time</h2>
${timelineSvg(overview.timeline)}
<h2>Web apps with the most open Urgent and Critical findings</h2>
<table><thead><tr><th>Web app</th><th>Severity 5</th><th>Severity 4</th><th></th></tr></thead><tbody>
${overview.topApplications.map(
  (a) =>
    html`<tr><td class="wrap">${a.name}</td><td class="num">${a.urgent}</td><td class="num">${a.critical}</td><td><a href="/findings?sub=${a.subscriptionId}&amp;app=${a.id}">findings</a></td></tr>`,
)}
</tbody></table>
<div class="grid2">
<section><h2>Last sync runs</h2><table><thead><tr><th>Run</th><th>Stream</th><th>Mode</th><th>Status</th><th>Started</th><th>Ended</th></tr></thead><tbody>
${overview.runs.map((r) => html`<tr><td class="num">${r.id}</td><td>${r.stream}</td><td>${r.mode}</td><td>${r.status}</td><td>${when(r.startedAt)}</td><td>${when(r.endedAt)}</td></tr>`)}
</tbody></table></section>
<section><h2>Last report imports</h2><table><thead><tr><th>Import</th><th>Kind</th><th>File</th><th>Title</th><th>Imported</th></tr></thead><tbody>
${overview.imports.map((r) => html`<tr><td class="num">${r.id}</td><td>${r.kind}</td><td class="wrap">${r.fileName}</td><td class="wrap">${r.title ?? ""}</td><td>${when(r.importedAt)}</td></tr>`)}
</tbody></table></section>
</div>`;
  return layout("Overview", "overview", body);
}
