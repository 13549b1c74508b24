/**
 * Small stand-in files for the report formats the simulator does not really render (PDF, CSV, HTML_ZIPPED).
 * Each one is a valid file of its type that says plainly it was made by the simulator, so a pipeline that only
 * moves the file (GitHub Action, Jenkins plugin) can run end to end, and nobody mistakes it for a Qualys report.
 */
import { crc32 } from "node:zlib";

export const SIMULATED_NOTICE = "Qualys API simulator report - simulated content, not a real Qualys report.";

export interface PlaceholderFacts {
  name: string;
  type: string;
  format: string;
  generated: string;
  /** Short lines about what the report covers (scans or web apps, finding counts). */
  details: readonly string[];
}

function lines(facts: PlaceholderFacts): string[] {
  return [
    SIMULATED_NOTICE,
    `Report: ${facts.name}`,
    `Type: ${facts.type}   Format: ${facts.format}`,
    `Generated: ${facts.generated}`,
    ...facts.details,
    "Ask for format XML to get the full simulated report.",
  ];
}

// ---------- PDF ----------

/** PDF string literal: ASCII only (Helvetica's standard encoding), with `\`, `(` and `)` escaped. */
function pdfText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").replace(/[\\()]/g, (c) => `\\${c}`);
}

/** A one-page PDF 1.4 with the facts as text lines. */
export function placeholderPdf(facts: PlaceholderFacts): Buffer {
  const textLines = lines(facts).map((l) => `(${pdfText(l)}) '`);
  const stream = ["BT", "/F1 11 Tf", "14 TL", "56 780 Td", ...textLines, "ET"].join("\n");
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    `<< /Length ${Buffer.byteLength(stream, "latin1")} >>\nstream\n${stream}\nendstream`,
  ];
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, "latin1"));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xrefAt = Buffer.byteLength(body, "latin1");
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

// ---------- CSV ----------

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A two-column CSV (field, value). */
export function placeholderCsv(facts: PlaceholderFacts): Buffer {
  const rows: [string, string][] = [
    ["Notice", SIMULATED_NOTICE],
    ["Report Name", facts.name],
    ["Report Type", facts.type],
    ["Format", facts.format],
    ["Generated", facts.generated],
    ...facts.details.map((d, i): [string, string] => [`Detail ${i + 1}`, d]),
  ];
  return Buffer.from(`${rows.map((r) => r.map(csvCell).join(",")).join("\r\n")}\r\n`, "utf8");
}

// ---------- HTML_ZIPPED ----------

function htmlEscape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

export function placeholderHtml(facts: PlaceholderFacts): string {
  const body = lines(facts)
    .map((l) => `<p>${htmlEscape(l)}</p>`)
    .join("\n");
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${htmlEscape(facts.name)}</title></head>\n<body>\n${body}\n</body></html>\n`;
}

/** A zip archive holding one stored (uncompressed) file. */
export function zipOneFile(fileName: string, content: Buffer): Buffer {
  const name = Buffer.from(fileName, "utf8");
  const checksum = crc32(content) >>> 0;
  // DOS date 1980-01-01 00:00: archives of the simulator do not need real timestamps.
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1;
  const utf8Flag = 0x0800;

  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(utf8Flag, 6);
  local.writeUInt16LE(0, 8);
  local.writeUInt16LE(dosTime, 10);
  local.writeUInt16LE(dosDate, 12);
  local.writeUInt32LE(checksum, 14);
  local.writeUInt32LE(content.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(name.length, 26);
  local.writeUInt16LE(0, 28);

  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(utf8Flag, 8);
  central.writeUInt16LE(0, 10);
  central.writeUInt16LE(dosTime, 12);
  central.writeUInt16LE(dosDate, 14);
  central.writeUInt32LE(checksum, 16);
  central.writeUInt32LE(content.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt16LE(0, 30);
  central.writeUInt16LE(0, 32);
  central.writeUInt16LE(0, 34);
  central.writeUInt16LE(0, 36);
  central.writeUInt32LE(0, 38);
  central.writeUInt32LE(0, 42);

  const centralOffset = local.length + name.length + content.length;
  const centralSize = central.length + name.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(centralOffset, 16);
  end.writeUInt16LE(0, 20);

  return Buffer.concat([local, name, content, central, name, end]);
}
