/**
 * QID (and CVE) lists as users type them: `150000-150100, 150263`. Every entry is trimmed (also around the dash) and
 * validated; a bad or empty entry is an error naming the input, never dropped. Qualys' Jenkins VM connector
 * silently disabled every criterion when an exclusion list held a stray space (jenkinsci/qualys-vm-plugin).
 */

export interface QidRange {
  from: number;
  to: number;
}

export class QidListError extends Error {
  constructor(
    readonly input: string,
    readonly problems: string[],
  ) {
    super(`${input}: ${problems.join("; ")}`);
    this.name = "QidListError";
  }
}

const QID = /^\d{1,9}$/;

/** Parse `a,b-c,…` (or an array of such entries, as a YAML list gives) into ranges; throws QidListError. */
export function parseQidList(
  value: string | number | readonly (string | number)[],
  input: string,
): QidRange[] {
  const entries = Array.isArray(value) ? value.map(String) : String(value).split(",");
  const problems: string[] = [];
  const ranges: QidRange[] = [];
  entries.forEach((raw, index) => {
    const entry = raw.trim();
    if (entry === "") {
      problems.push(`entry ${index + 1} is empty`);
      return;
    }
    const parts = entry.split("-").map((p) => p.trim());
    if (parts.length > 2 || !parts.every((p) => QID.test(p))) {
      problems.push(`"${entry}" is not a QID or a range such as 150000-150100`);
      return;
    }
    const from = Number(parts[0]);
    const to = Number(parts[1] ?? parts[0]);
    if (from < 1) {
      problems.push(`"${entry}": QIDs start at 1`);
      return;
    }
    if (to < from) {
      problems.push(`"${entry}": the range ends before it starts`);
      return;
    }
    ranges.push({ from, to });
  });
  if (problems.length > 0) throw new QidListError(input, problems);
  return ranges;
}

export function qidInRanges(qid: number, ranges: readonly QidRange[]): boolean {
  return ranges.some((r) => qid >= r.from && qid <= r.to);
}

/** `150000-150100, 150263`, as the ranges were given. */
export function formatQidRanges(ranges: readonly QidRange[]): string {
  return ranges.map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`)).join(", ");
}

const CVE = /^CVE-\d{4}-\d{4,}$/i;

/** Parse CVE ids (comma-separated or a list), each trimmed and checked, upper-cased; throws QidListError. */
export function parseCveList(value: string | readonly string[], input: string): string[] {
  const entries = Array.isArray(value) ? value : String(value).split(",");
  const problems: string[] = [];
  const cves: string[] = [];
  entries.forEach((raw, index) => {
    const entry = raw.trim();
    if (entry === "") problems.push(`entry ${index + 1} is empty`);
    else if (!CVE.test(entry)) problems.push(`"${entry}" is not a CVE id such as CVE-2021-44228`);
    else cves.push(entry.toUpperCase());
  });
  if (problems.length > 0) throw new QidListError(input, problems);
  return [...new Set(cves)];
}
