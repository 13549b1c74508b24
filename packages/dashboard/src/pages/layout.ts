import { type Html, html } from "../html.js";

/** The sections of the top navigation. */
export type Section = "overview" | "applications" | "findings" | "gate-runs";

const SECTIONS: readonly { id: Section; href: string; title: string }[] = [
  { id: "overview", href: "/", title: "Overview" },
  { id: "applications", href: "/applications", title: "Applications" },
  { id: "findings", href: "/findings", title: "Findings" },
  { id: "gate-runs", href: "/gate-runs", title: "Gate runs" },
];

/** A whole page: the stylesheets and the one script are files of this server (the CSP allows nothing else). */
export function layout(title: string, section: Section | undefined, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · Qualys Connector dashboard</title>
<link rel="stylesheet" href="/assets/report.css">
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/dashboard.js" defer></script>
</head>
<body>
<nav class="top"><span class="brand"><a href="/">Qualys Connector</a></span>${SECTIONS.map(
    (s) => html`<a href="${s.href}" class="${s.id === section ? "current" : ""}">${s.title}</a>`,
  )}</nav>
<main>
${body}
</main>
</body>
</html>
`.text;
}

/** Severity pills (5 to 1) of counts by severity; zero shows muted. */
export function severityPills(counts: Readonly<Record<number, number>>): Html {
  return html`<span class="sevcell">${[5, 4, 3, 2, 1].map((s) => {
    const n = counts[s] ?? 0;
    return html`<span class="sev-pill s${s}${n === 0 ? " zero" : ""}" title="severity ${s}">${n}</span>`;
  })}</span>`;
}

/** An ISO time shown as its date and minute, UTC; empty for none. */
export function when(iso: string | undefined): string {
  if (iso === undefined || iso === "") return "";
  return iso.replace("T", " ").replace(/:\d{2}(\.\d+)?Z$/, "Z");
}
