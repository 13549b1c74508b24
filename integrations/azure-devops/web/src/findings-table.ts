/**
 * Sorting, filtering and row expansion for the renderer's vulnerabilities table. The table is the gate's own
 * (`renderFindingsTable`): each row's class is its disposition, its cells are in `FINDING_COLUMNS` order and its
 * title cell holds the finding's `<details>`. Nothing here writes result data: rows are moved, hidden or opened,
 * and the controls hold only fixed words.
 */

import { FINDING_COLUMNS } from "@qualys-connector/gate";
import { element } from "./dom.js";

/** Disposition order of the report (counted first), for sorting by that column. */
const DISPOSITIONS = ["counted", "excepted", "excluded", "potential"] as const;

interface Row {
  tr: HTMLTableRowElement;
  /** Cell texts without the detail, lower-cased for the text filter. */
  text: string;
  severity: number | undefined;
  /** The severity cell as the table shows it ("5 Urgent"). */
  severityText: string;
  disposition: string;
  /** Sort key per column. */
  keys: (string | number)[];
}

/** A cell's text without its `<details>` (the finding's detail is not what a column sorts or filters by). */
function cellText(cell: Element): string {
  let text = "";
  for (const node of Array.from(cell.childNodes)) {
    if (node instanceof HTMLElement && node.tagName === "DETAILS") continue;
    text += node.textContent ?? "";
  }
  return text.trim();
}

function leadingNumber(text: string): number | undefined {
  const match = /^\d+/.exec(text);
  return match === null ? undefined : Number(match[0]);
}

function readRow(tr: HTMLTableRowElement, columns: readonly string[]): Row {
  const cells = Array.from(tr.cells).map(cellText);
  const disposition = DISPOSITIONS.find((name) => tr.classList.contains(name)) ?? "";
  const severityCell = cells[columns.indexOf("Severity")] ?? "";
  const keys = cells.map((text, index) => {
    const column = columns[index];
    if (column === "Disposition") return DISPOSITIONS.indexOf(disposition as (typeof DISPOSITIONS)[number]);
    if (column === "QID" || column === "Severity" || column === "CVSS") return leadingNumber(text) ?? -1;
    return text.toLowerCase();
  });
  return {
    tr,
    text: cells.join(" ").toLowerCase(),
    severity: leadingNumber(severityCell),
    severityText: severityCell,
    disposition,
    keys,
  };
}

function compare(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

function select(label: string, options: readonly [string, string][]): HTMLSelectElement {
  const box = element("select");
  box.setAttribute("aria-label", label);
  for (const [value, text] of options) {
    const option = element("option", text);
    option.value = value;
    box.append(option);
  }
  return box;
}

export interface FindingsTableControls {
  /** The row count line, e.g. "Showing 3 of 12 vulnerabilities". */
  status: HTMLElement;
}

/**
 * Makes one rendered vulnerabilities table sortable by each column (a button in each head; again reverses),
 * filterable by text, severity and disposition (controls put before the table), and lets a click on a row open or
 * close its detail. `onChange` runs after anything changes the table's height.
 */
export function enhanceFindingsTable(table: HTMLTableElement, onChange: () => void): FindingsTableControls {
  const heads = Array.from(table.tHead?.rows[0]?.cells ?? []);
  const columns = heads.map((head) => head.textContent ?? "");
  const known = [FINDING_COLUMNS.was, FINDING_COLUMNS.vm].find(
    (list: readonly string[]) =>
      list.length === columns.length && list.every((name, i) => name === columns[i]),
  );
  const body = table.tBodies[0];
  const status = element("p", "", "filter-status");
  status.setAttribute("aria-live", "polite");
  if (body === undefined || known === undefined) return { status };
  const rows = Array.from(body.rows).map((tr) => readRow(tr, columns));

  const search = element("input");
  search.type = "search";
  search.placeholder = "Filter by QID, title, URL, parameter…";
  search.setAttribute("aria-label", "Filter vulnerabilities by text");
  // The severities the list has, most severe first, worded as the table words them.
  const levels = new Map<number, string>();
  for (const row of rows) if (row.severity !== undefined) levels.set(row.severity, row.severityText);
  const severity = select("Filter by severity", [
    ["", "All severities"],
    ...[...levels].sort(([a], [b]) => b - a).map(([level, text]): [string, string] => [String(level), text]),
  ]);
  const disposition = select("Filter by disposition", [
    ["", "All dispositions"],
    ...DISPOSITIONS.map((name): [string, string] => [name, name]),
  ]);
  const controls = element("div", undefined, "filters");
  controls.append(search, severity, disposition);
  table.before(controls, status);

  const apply = () => {
    const query = search.value.trim().toLowerCase();
    const level = severity.value === "" ? undefined : Number(severity.value);
    let shown = 0;
    for (const row of rows) {
      const visible =
        (query === "" || row.text.includes(query)) &&
        (level === undefined || row.severity === level) &&
        (disposition.value === "" || row.disposition === disposition.value);
      row.tr.hidden = !visible;
      if (visible) shown++;
    }
    status.textContent = `Showing ${shown} of ${rows.length} ${rows.length === 1 ? "vulnerability" : "vulnerabilities"}`;
    onChange();
  };
  search.addEventListener("input", apply);
  severity.addEventListener("change", apply);
  disposition.addEventListener("change", apply);

  let sorted: { column: number; direction: 1 | -1 } | undefined;
  heads.forEach((head, column) => {
    const button = element("button", head.textContent ?? "", "sort");
    button.type = "button";
    head.replaceChildren(button);
    button.addEventListener("click", () => {
      const direction = sorted?.column === column && sorted.direction === 1 ? -1 : 1;
      sorted = { column, direction };
      const order = [...rows].sort(
        (a, b) =>
          direction * compare(a.keys[column] ?? "", b.keys[column] ?? "") ||
          compare(a.keys[0] ?? 0, b.keys[0] ?? 0),
      );
      body.append(...order.map((row) => row.tr));
      for (const other of heads) other.removeAttribute("aria-sort");
      head.setAttribute("aria-sort", direction === 1 ? "ascending" : "descending");
    });
  });

  // A click anywhere on a row opens or closes its detail; clicks inside the detail itself (selecting text, the
  // summary's own toggle) are left alone.
  body.addEventListener("click", (event) => {
    const target = event.target;
    if (!(target instanceof Element) || target.closest("details") !== null) return;
    const detail = target.closest("tr")?.querySelector("details");
    if (detail) detail.open = !detail.open;
  });
  body.addEventListener("toggle", onChange, true);
  apply();
  return { status };
}
