import { kbHtml } from "@qualys-connector/gate";
import type { FindingDetail } from "@qualys-connector/store";
import { type Html, html, trusted } from "../html.js";
import { authentication, vulnerabilityKind } from "./findings.js";
import { layout, when } from "./layout.js";

function fact(term: string, value: string | number | Html | undefined): Html {
  return html`<dt>${term}</dt><dd class="wrap">${value ?? ""}</dd>`;
}

/** The list a finding was opened from: only a findings list of this dashboard, never another address. */
export function backHref(back: string | null): string {
  if (back === null || back === "") return "/findings";
  // `back` is the list's query string; a `/`, `:` or `\` in it cannot turn it into another path or origin.
  const query = new URLSearchParams(back).toString();
  return query === "" ? "/findings" : `/findings?${query}`;
}

function change(from: string | number | boolean | null, to: string | number | boolean | null): string {
  if (from === to) return "";
  const show = (v: string | number | boolean | null) => (v === null ? "(none)" : String(v));
  return `${show(from)} → ${show(to)}`;
}

export function findingPage(detail: FindingDetail, back: string): string {
  const f = detail.record;
  const d = detail.definition;
  const body = html`<p><a id="back" href="${back}">← Back to the list</a></p>
<h1>${f.name}</h1>
<p class="muted">QID ${f.qid} · ${detail.webAppName ?? `web app ${f.webAppId}`} · ${vulnerabilityKind(f)}</p>
<div class="grid2">
<section><h2>Finding</h2><dl class="facts">
${fact("Web app", `${detail.webAppName ?? ""} (${f.webAppId})`)}
${fact("Finding id", f.id)}${fact("Unique id", f.uid)}${fact("QID", f.qid)}
${fact("Type", f.type)}${fact("Vulnerability type", vulnerabilityKind(f))}
${fact("Severity", f.severity === undefined ? "" : `${f.severity}${f.severityLabel ? ` (${f.severityLabel})` : ""}`)}
${fact("Status", f.status)}
${fact("URL", f.url)}${fact("Parameter", f.param)}
${fact("Authentication", authentication(f.authenticated))}
${fact("First detected", when(f.firstDetectedDate))}${fact("Last detected", when(f.lastDetectedDate))}
${fact("Last tested", when(f.lastTestedDate))}${fact("Fixed", when(f.fixedDate))}
${fact("Times detected", f.timesDetected)}
${fact("Ignored", f.isIgnored ? `yes${f.ignoredReason ? `: ${f.ignoredReason}` : ""}${f.ignoredDate ? ` (${when(f.ignoredDate)})` : ""}` : "no")}
${fact("CWE", f.cwe.join(", "))}${fact("OWASP", f.owasp.join(", "))}${fact("WASC", f.wasc.join(", "))}
${fact("Categories", f.categories.join(", "))}
${fact("Source", detail.source)}${fact("First stored", when(detail.firstSeenAt))}${fact("Last stored", when(detail.lastSeenAt))}
${detail.vanishedAt ? fact("Gone from Qualys", when(detail.vanishedAt)) : ""}
</dl></section>
<section><h2>KnowledgeBase</h2>${
    d === undefined
      ? html`<p class="muted">No definition of QID ${f.qid} stored (a sync with definitions brings it).</p>`
      : html`<dl class="facts">${fact("Title", d.title)}${fact("Severity", d.severity)}${fact("CVSS v3", d.cvssV3Base === undefined ? "" : `${d.cvssV3Base} ${d.cvssV3Vector ?? ""}`)}${fact("CVSS v2", d.cvssV2Base === undefined ? "" : `${d.cvssV2Base} ${d.cvssV2Vector ?? ""}`)}${fact("CVEs", d.cves.join(", "))}${fact("Category", d.vulnType)}</dl>
<h3>Description</h3><div class="kb">${trusted(kbHtml(d.diagnosis))}</div>
<h3>Impact</h3><div class="kb">${trusted(kbHtml(d.consequence))}</div>
<h3>Solution</h3><div class="kb">${trusted(kbHtml(d.solution))}</div>`
  }</section>
</div>
<h2>Detailed information</h2>
${f.evidence.truncated ? html`<p class="note">The evidence was cut to the stored length.</p>` : ""}
<h3>Request</h3><pre class="evidence" id="evidence-request">${f.evidence.request ?? "(none stored)"}</pre>
<h3>Response</h3><pre class="evidence" id="evidence-response">${f.evidence.response ?? "(none stored)"}</pre>
<h2>History</h2>
${
  detail.history.length === 0
    ? html`<p class="muted">No change recorded since it was first stored.</p>`
    : html`<table id="history"><thead><tr><th>Changed</th><th>Run</th><th>Status</th><th>Severity</th><th>Ignored</th><th>Last detected</th></tr></thead><tbody>${detail.history.map(
        (h) =>
          html`<tr><td>${when(h.changedAt)}</td><td class="num">${h.runId ?? ""}</td><td>${change(h.status.from, h.status.to)}</td><td>${change(h.severity.from, h.severity.to)}</td><td>${change(h.isIgnored.from, h.isIgnored.to)}</td><td>${change(h.lastDetectedDate.from, h.lastDetectedDate.to)}</td></tr>`,
      )}</tbody></table>`
}`;
  return layout(f.name, "findings", body);
}
