/**
 * The dashboard's static assets. They live in the code (not beside it as files) so that the CLI bundle carries
 * them: an installed tarball finds them without any path lookup. The report stylesheet is the gate's own
 * (`REPORT_CSS`), so the gate-run views look exactly like report.html.
 */

import { REPORT_CSS } from "@qualys-connector/gate";

/** The dashboard's own layout, on top of the report stylesheet. System fonts only; no `url(` or `@import`. */
export const DASHBOARD_CSS = `
body { padding: 0; }
nav.top { display: flex; gap: 1.25rem; align-items: baseline; padding: .6rem 1.5rem; background: #24292f; }
nav.top a { color: #fff; text-decoration: none; }
nav.top a.current { text-decoration: underline; }
nav.top .brand { font-weight: 600; margin-right: 1rem; }
main { padding: 1rem 1.5rem 2rem; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; margin: .5rem 0 1rem; padding: .75rem; background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; }
form.filters label { display: flex; flex-direction: column; font-size: .8rem; color: #57606a; gap: .15rem; }
form.filters input, form.filters select { font: inherit; padding: .2rem .35rem; }
form.filters input[type=text] { width: 12rem; }
form.filters input.narrow { width: 6rem; }
form.filters label.check { flex-direction: row; align-items: center; }
form.filters .actions { display: flex; gap: .5rem; }
.pager { display: flex; gap: 1rem; margin: .75rem 0; align-items: baseline; }
.toolbar { display: flex; gap: 1rem; align-items: baseline; margin: .5rem 0; flex-wrap: wrap; }
.cards { display: flex; flex-wrap: wrap; gap: 1rem; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem .9rem; min-width: 7rem; }
.card .n { font-size: 1.4rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1.5rem; }
td.wrap, dd.wrap { overflow-wrap: anywhere; }
pre.evidence { white-space: pre-wrap; overflow-wrap: anywhere; max-height: 30rem; overflow: auto; font-family: ui-monospace, SFMono-Regular, Consolas, monospace; font-size: .85rem; background: #f6f8fa; padding: .5rem; border: 1px solid #d0d7de; }
.sevcell { font-variant-numeric: tabular-nums; white-space: nowrap; }
.sev-pill { display: inline-block; min-width: 1.6em; text-align: center; border-radius: 3px; color: #fff; padding: 0 .25rem; margin-right: .15rem; font-size: .8rem; }
.sev-pill.s5 { background: #a40e26; } .sev-pill.s4 { background: #e5534b; } .sev-pill.s3 { background: #f0883e; } .sev-pill.s2 { background: #d4a72c; } .sev-pill.s1 { background: #6e7781; }
.sev-pill.zero { background: #eaeef2; color: #57606a; }
svg.timeline .detected { fill: #cf222e; } svg.timeline .fixed { fill: #1a7f37; } svg.timeline text { font-size: 11px; fill: #57606a; }
.legend-detected { color: #cf222e; } .legend-fixed { color: #1a7f37; }
.error-page { padding: 1rem; border: 1px solid #cf222e; background: #ffebe9; border-radius: 6px; }
.tabs { display: flex; gap: 1rem; margin: .5rem 0 1rem; }
.tabs a.current { font-weight: 600; text-decoration: none; color: inherit; }
`;

/**
 * The one script: it only enhances (the pages work without it). A change of a menu in a filter form submits the
 * form, so a filter applies without pressing Apply.
 */
export const DASHBOARD_JS = `"use strict";
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target instanceof HTMLSelectElement && target.form && target.form.classList.contains("filters")) target.form.submit();
});
`;

/** The assets by path, with their content types. */
export const ASSETS: Readonly<Record<string, { type: string; body: string }>> = {
  "/assets/report.css": { type: "text/css; charset=utf-8", body: REPORT_CSS },
  "/assets/dashboard.css": { type: "text/css; charset=utf-8", body: DASHBOARD_CSS },
  "/assets/dashboard.js": { type: "text/javascript; charset=utf-8", body: DASHBOARD_JS },
};
