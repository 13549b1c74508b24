/**
 * The severity chart as inline SVG: one horizontal bar per severity, 5 (Urgent) at the top. The one chart component
 * of the HTML views (report.html, and the Azure DevOps results section through the same export). It is drawn with
 * attributes and CSS classes only, no `style` attribute, so a page whose CSP forbids inline styles shows it.
 */

import { SEVERITY_NAMES, type Severity, type SeverityCounts } from "@qualys-connector/model";
import { escapeHtml } from "./html-text.js";
import { countAt } from "./report-text.js";

const SEVERITIES_DESCENDING: readonly Severity[] = [5, 4, 3, 2, 1];

// Geometry in SVG user units; the CSS scales the drawing down on narrow screens (max-width 100%).
const WIDTH = 640;
const ROW = 30;
const BAR_HEIGHT = 20;
const LABEL_WIDTH = 110;
/** Room to the right of the longest bar for its number. */
const BAR_AREA = 460;
const HEIGHT = SEVERITIES_DESCENDING.length * ROW + 4;

/** A number for an SVG attribute: at most one decimal, no trailing `.0`. */
function unit(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/**
 * The chart of `counts` (index 0 = severity 1): each bar's length is its count over the largest count, each bar
 * carries its count as text and a `<title>` (the tooltip). A severity with no findings has an empty track. Every
 * value in an attribute is a number computed here; the only text is severity names and counts.
 */
export function severityChartSvg(counts: SeverityCounts, caption: string): string {
  const largest = Math.max(1, ...counts);
  const summary = SEVERITIES_DESCENDING.map(
    (severity) => `${severity} ${SEVERITY_NAMES[severity]}: ${countAt(counts, severity)}`,
  ).join(", ");
  const rows = SEVERITIES_DESCENDING.map((severity, index) => {
    const count = countAt(counts, severity);
    const top = index * ROW + 2;
    const barWidth = (count / largest) * BAR_AREA;
    const label = `${severity} ${SEVERITY_NAMES[severity]}`;
    return [
      `<g class="severity sev-${severity}">`,
      `<text class="label" x="0" y="${unit(top + 15)}">${escapeHtml(label)}</text>`,
      `<rect class="track" x="${LABEL_WIDTH}" y="${top}" width="${BAR_AREA}" height="${BAR_HEIGHT}" rx="3"></rect>`,
      `<rect class="bar" x="${LABEL_WIDTH}" y="${top}" width="${unit(barWidth)}" height="${BAR_HEIGHT}" rx="3"><title>${escapeHtml(`${label}: ${count}`)}</title></rect>`,
      `<text class="count" x="${unit(LABEL_WIDTH + barWidth + 6)}" y="${unit(top + 15)}">${count}</text>`,
      "</g>",
    ].join("");
  });
  return [
    `<svg class="severity-chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(`${caption}: ${summary}`)}">`,
    ...rows,
    "</svg>",
  ].join("\n");
}
