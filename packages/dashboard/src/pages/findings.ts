import { DEFAULT_SEVERITY_LABELS, FINDING_STATUSES } from "@qualys-connector/model";
import type { CappedCount, FindingListRow, FindingPage } from "@qualys-connector/store";
import { type Html, html } from "../html.js";
import { encodeCursor, FINDING_COLUMNS, type FindingColumn, type FindingsView, hrefWith } from "../query.js";
import { layout, when } from "./layout.js";

const TYPES = ["VULNERABILITY", "SENSITIVE_CONTENT", "INFORMATION_GATHERED"] as const;

/** The finding's kind as the Qualys UI names it: confirmed, potential or information gathered. */
export function vulnerabilityKind(record: FindingListRow["record"]): string {
  if (record.type === "INFORMATION_GATHERED") return "information gathered";
  if (record.type === "SENSITIVE_CONTENT")
    return record.potential ? "sensitive content (potential)" : "sensitive content";
  return record.potential ? "potential" : "confirmed";
}

export function authentication(value: boolean | undefined): string {
  return value === undefined ? "" : value ? "required" : "not required";
}

/** The link to a finding's page, carrying the list it was opened from. */
export function findingHref(
  row: { subscriptionId: number; record: { uid: string } },
  listQuery: string,
): string {
  const back = listQuery === "" ? "" : `?back=${encodeURIComponent(listQuery)}`;
  return `/findings/${row.subscriptionId}/${encodeURIComponent(row.record.uid)}${back}`;
}

function cell(column: FindingColumn, row: FindingListRow, listQuery: string): Html {
  const f = row.record;
  switch (column) {
    case "webApp":
      return html`<td class="wrap">${row.webAppName ?? String(f.webAppId)}</td>`;
    case "qid":
      return html`<td class="num">${f.qid}</td>`;
    case "title":
      return html`<td class="wrap"><a href="${findingHref(row, listQuery)}">${f.name}</a></td>`;
    case "severity":
      return html`<td class="sevcell">${f.severity === undefined ? "" : html`<span class="sev-pill s${f.severity}">${f.severity}</span>`} ${f.severityLabel ?? ""}</td>`;
    case "status":
      return html`<td>${f.status ?? ""}</td>`;
    case "type":
      return html`<td>${vulnerabilityKind(f)}</td>`;
    case "url":
      return html`<td class="url">${f.url ?? ""}</td>`;
    case "param":
      return html`<td class="url">${f.param ?? ""}</td>`;
    case "firstDetected":
      return html`<td>${when(f.firstDetectedDate)}</td>`;
    case "lastDetected":
      return html`<td>${when(f.lastDetectedDate)}</td>`;
    case "timesDetected":
      return html`<td class="num">${f.timesDetected ?? ""}</td>`;
    case "authenticated":
      return html`<td>${authentication(f.authenticated)}</td>`;
    case "cwe":
      return html`<td>${f.cwe.join(", ")}</td>`;
    case "owasp":
      return html`<td>${f.owasp.join(", ")}</td>`;
    case "wasc":
      return html`<td>${f.wasc.join(", ")}</td>`;
    case "source":
      return html`<td>${row.source}</td>`;
    case "ignored":
      return html`<td>${f.isIgnored ? `yes${f.ignoredReason ? ` (${f.ignoredReason})` : ""}` : ""}</td>`;
  }
}

function select(name: string, current: string, options: readonly string[], any = "any"): Html {
  return html`<select name="${name}"><option value="">${any}</option>${options.map(
    (o) => html`<option value="${o}"${current === o ? " selected" : ""}>${o}</option>`,
  )}</select>`;
}

/** The default severity labels, and the one asked for when it is another (a custom severity map's). */
function severityLabelOptions(current: string): string[] {
  const labels = new Set(Object.values(DEFAULT_SEVERITY_LABELS).flatMap((byLevel) => Object.values(byLevel)));
  if (current !== "") labels.add(current);
  return [...labels];
}

export function findingsPage(
  params: URLSearchParams,
  view: FindingsView,
  page: FindingPage,
  total: CappedCount,
): string {
  const value = (name: string) => params.get(name) ?? "";
  const listQuery = params.toString();
  const exportQuery = hrefWith("", params, { after: undefined }).replace(/^\?/, "");
  const sortLink = (sort: string, title: string) => {
    const current = view.sort === sort;
    const dir = current && view.direction === "desc" ? "asc" : "desc";
    return html`<a href="${hrefWith("/findings", params, { sort, dir })}">${title}${current ? (view.direction === "desc" ? " ▼" : " ▲") : ""}</a>`;
  };
  const heading = (column: FindingColumn) => {
    if (column === "severity") return html`<th>${sortLink("severity", FINDING_COLUMNS.severity)}</th>`;
    if (column === "lastDetected")
      return html`<th>${sortLink("lastDetected", FINDING_COLUMNS.lastDetected)}</th>`;
    if (column === "firstDetected")
      return html`<th>${sortLink("firstDetected", FINDING_COLUMNS.firstDetected)}</th>`;
    if (column === "qid") return html`<th>${sortLink("qid", FINDING_COLUMNS.qid)}</th>`;
    return html`<th>${FINDING_COLUMNS[column]}</th>`;
  };
  const body = html`<h1>Findings</h1>
<form class="filters" method="get" action="/findings">
${value("sub") ? html`<input type="hidden" name="sub" value="${value("sub")}">` : ""}
<label>Web app id<input class="narrow" type="text" inputmode="numeric" name="app" value="${value("app")}"></label>
<label>Severity${select("sev", value("sev"), ["5", "4", "3", "2", "1"])}</label>
<label>Severity label${select("label", value("label"), severityLabelOptions(value("label")))}</label>
<label>Status${select("status", value("status"), FINDING_STATUSES)}</label>
<label>Type${select("type", value("type"), TYPES)}</label>
<label>QID<input class="narrow" type="text" inputmode="numeric" name="qid" value="${value("qid")}"></label>
<label>CWE<input class="narrow" type="text" name="cwe" value="${value("cwe")}" placeholder="CWE-79"></label>
<label>OWASP<input class="narrow" type="text" name="owasp" value="${value("owasp")}" placeholder="A03:2021"></label>
<label>Title, URL or parameter<input type="text" name="q" value="${value("q")}"></label>
<label>First detected from<input type="date" name="first_from" value="${value("first_from")}"></label>
<label>to<input type="date" name="first_to" value="${value("first_to")}"></label>
<label>Last detected from<input type="date" name="last_from" value="${value("last_from")}"></label>
<label>to<input type="date" name="last_to" value="${value("last_to")}"></label>
<label>Source${select("source", value("source"), ["api", "report"])}</label>
<label class="check"><input type="checkbox" name="ignored" value="1"${view.filter.includeIgnored ? " checked" : ""}> show ignored</label>
<input type="hidden" name="sort" value="${view.sort}"><input type="hidden" name="dir" value="${view.direction}">
${value("cols") ? html`<input type="hidden" name="cols" value="${value("cols")}">` : ""}
<div class="actions"><button type="submit">Apply</button><a href="/findings">Clear</a></div>
</form>
<div class="toolbar"><span id="finding-count">${total.capped ? `${total.count}+` : total.count} findings</span>
<a id="export-csv" href="/findings.csv${exportQuery ? `?${exportQuery}` : ""}">Export CSV</a>
<a id="export-jsonl" href="/findings.jsonl${exportQuery ? `?${exportQuery}` : ""}">Export JSONL</a>
<details><summary>Columns</summary><form method="get" action="/findings">${[...params.entries()]
    .filter(([name]) => name !== "cols" && name !== "after")
    .map(([name, v]) => html`<input type="hidden" name="${name}" value="${v}">`)}${(
    Object.keys(FINDING_COLUMNS) as FindingColumn[]
  ).map(
    (c) =>
      html`<label class="check"><input type="checkbox" name="col" value="${c}"${view.columns.includes(c) ? " checked" : ""}> ${FINDING_COLUMNS[c]}</label> `,
  )}<button type="submit">Show</button></form></details>
</div>
<table id="findings"><thead><tr>${view.columns.map(heading)}</tr></thead><tbody>
${page.rows.map((row) => html`<tr data-uid="${row.record.uid}">${view.columns.map((c) => cell(c, row, listQuery))}</tr>`)}
</tbody></table>
${page.rows.length === 0 ? html`<p class="muted">No findings match.</p>` : ""}
<div class="pager">${
    view.after !== undefined
      ? html`<a href="${hrefWith("/findings", params, { after: undefined })}">First page</a>`
      : ""
  }${page.next !== undefined ? html`<a rel="next" href="${hrefWith("/findings", params, { after: encodeCursor(page.next) })}">Next page</a>` : ""}</div>`;
  return layout("Findings", "findings", body);
}
