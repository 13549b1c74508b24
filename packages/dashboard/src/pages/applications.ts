import type { ApplicationPage, CappedCount } from "@qualys-connector/store";
import { html } from "../html.js";
import { type ApplicationsView, encodeCursor, hrefWith } from "../query.js";
import { layout, severityPills, when } from "./layout.js";

function sortLink(params: URLSearchParams, view: ApplicationsView, sort: string, title: string) {
  const current = view.sort === sort;
  const dir = current && view.direction === "asc" ? "desc" : "asc";
  return html`<a href="${hrefWith("/applications", params, { sort, dir })}">${title}${current ? (view.direction === "asc" ? " ▲" : " ▼") : ""}</a>`;
}

function count(c: CappedCount): string {
  return c.capped ? `${c.count}+` : String(c.count);
}

export function applicationsPage(
  params: URLSearchParams,
  view: ApplicationsView,
  page: ApplicationPage,
  total: CappedCount,
): string {
  const value = (name: string) => params.get(name) ?? "";
  const body = html`<h1>Applications</h1>
<form class="filters" method="get" action="/applications">
<label>Name or URL<input type="text" name="name" value="${value("name")}"></label>
<label>Label<input type="text" name="label" value="${value("label")}"></label>
<label>Open severity present<select name="sev"><option value="">any</option>${[5, 4, 3, 2, 1].map(
    (s) => html`<option value="${s}"${value("sev") === String(s) ? " selected" : ""}>${s}</option>`,
  )}</select></label>
<label>Scanned within (days)<input class="narrow" type="text" inputmode="numeric" name="scanned_within" value="${value("scanned_within")}"></label>
<label>Not scanned for (days)<input class="narrow" type="text" inputmode="numeric" name="scanned_over" value="${value("scanned_over")}"></label>
<input type="hidden" name="sort" value="${view.sort}"><input type="hidden" name="dir" value="${view.direction}">
<div class="actions"><button type="submit">Apply</button><a href="/applications">Clear</a></div>
</form>
<div class="toolbar"><span>${count(total)} applications</span></div>
<table id="applications"><thead><tr>
<th>${sortLink(params, view, "name", "Name")}</th><th>Address (URL)</th><th>Source</th><th>${sortLink(params, view, "label", "Labels")}</th>
<th>Open findings (5 4 3 2 1)</th><th>All findings (5 4 3 2 1)</th><th>${sortLink(params, view, "lastScan", "Last scan")}</th><th>Operating system</th>
</tr></thead><tbody>
${page.rows.map(
  (a) => html`<tr>
<td class="wrap"><a href="/findings?sub=${a.subscriptionId}&amp;app=${a.id}">${a.name}</a></td>
<td class="url">${a.url}</td>
<td>${a.source === "api" ? "API" : a.source === "report" ? "report" : a.source}</td>
<td class="wrap">${a.labels.join(", ")}</td>
<td>${severityPills(a.open)}</td>
<td>${severityPills(a.total)}</td>
<td>${when(a.lastScan)}</td>
<td class="muted">not stored</td>
</tr>`,
)}
</tbody></table>
<div class="pager">${
    view.after !== undefined
      ? html`<a href="${hrefWith("/applications", params, { after: undefined })}">First page</a>`
      : ""
  }${page.next !== undefined ? html`<a rel="next" href="${hrefWith("/applications", params, { after: encodeCursor(page.next) })}">Next page</a>` : ""}</div>`;
  return layout("Applications", "applications", body);
}
