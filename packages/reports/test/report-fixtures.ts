/**
 * Small hand-made report documents and containers for the reader's unit tests: each test states the records it
 * puts in, so the expectation next to it says what the reader must make of them.
 */

import { crc32, deflateRawSync } from "node:zlib";
import type { FindingRecord, ReportItem } from "@qualys-connector/model";
import { type ReportSource, readReport } from "../src/index.js";

/** Every item `readReport` yields for `source`, in order. */
export async function readAll(
  source: ReportSource,
  options: Parameters<typeof readReport>[1] = {},
): Promise<ReportItem[]> {
  const items: ReportItem[] = [];
  for await (const item of readReport(source, options)) items.push(item);
  return items;
}

/** The finding records among `items`. */
export const findings = (items: ReportItem[]): FindingRecord[] =>
  items.flatMap((item) => (item.type === "finding" ? [item.record] : []));

export interface FixtureFinding {
  type?: "VULNERABILITY" | "SENSITIVE_CONTENT" | "INFORMATION_GATHERED";
  uniqueId?: string;
  id?: string;
  qid?: string;
  url?: string;
  param?: string;
  authentication?: string;
  date?: string;
  potential?: string;
  ignored?: string;
  status?: string;
  /** Raw XML put inside the record as it is (payloads, data). */
  extra?: string;
}

function record(f: FixtureFinding, webAppReport: boolean): string {
  const type = f.type ?? "VULNERABILITY";
  const parts = [
    f.uniqueId === undefined ? "" : `<UNIQUE_ID>${f.uniqueId}</UNIQUE_ID>`,
    `<ID>${f.id ?? "1"}</ID>`,
    `<QID>${f.qid ?? "150001"}</QID>`,
  ];
  if (type === "INFORMATION_GATHERED") {
    parts.push(`<LAST_TIME_DETECTED>${f.date ?? "12 Mar 2020 04:42PM GMT-0400"}</LAST_TIME_DETECTED>`);
  } else {
    parts.push(`<URL>${f.url ?? "https://shop.example/"}</URL>`);
    if (f.param !== undefined) parts.push(`<PARAM>${f.param}</PARAM>`);
    parts.push(`<AUTHENTICATION>${f.authentication ?? "Not Required"}</AUTHENTICATION>`);
    parts.push(
      webAppReport
        ? `<FIRST_TIME_DETECTED>${f.date ?? "12 Mar 2020 04:42PM GMT-0400"}</FIRST_TIME_DETECTED>`
        : `<DETECTION_DATE>${f.date ?? "12 Mar 2020 04:42PM GMT-0400"}</DETECTION_DATE>`,
    );
    if (f.potential !== undefined) parts.push(`<POTENTIAL>${f.potential}</POTENTIAL>`);
    if (f.status !== undefined) parts.push(`<STATUS>${f.status}</STATUS>`);
    parts.push(`<IGNORED>${f.ignored ?? "false"}</IGNORED>`);
  }
  if (f.extra) parts.push(f.extra);
  return `<${type}>${parts.join("")}</${type}>`;
}

function lists(findings: FixtureFinding[], webAppReport: boolean): string {
  const of = (type: string) =>
    findings
      .filter((f) => (f.type ?? "VULNERABILITY") === type)
      .map((f) => record(f, webAppReport))
      .join("\n");
  return `<VULNERABILITY_LIST>${of("VULNERABILITY")}</VULNERABILITY_LIST>
<SENSITIVE_CONTENT_LIST>${of("SENSITIVE_CONTENT")}</SENSITIVE_CONTENT_LIST>
<INFORMATION_GATHERED_LIST>${of("INFORMATION_GATHERED")}</INFORMATION_GATHERED_LIST>`;
}

export const GLOSSARY = `<GLOSSARY><QID_LIST>
<QID><QID>150001</QID><CATEGORY>Confirmed Vulnerability</CATEGORY><SEVERITY>5</SEVERITY><TITLE>Reflected XSS</TITLE><GROUP>XSS</GROUP><OWASP>A7</OWASP><WASC>WASC-8</WASC><CWE>CWE-79</CWE><CVSS_BASE>4.3</CVSS_BASE><DESCRIPTION>Script in a page.</DESCRIPTION><IMPACT>Session theft.</IMPACT><SOLUTION>Encode output.</SOLUTION></QID>
<QID><QID>150002</QID><CATEGORY>Sensitive Content</CATEGORY><SEVERITY>2</SEVERITY><TITLE>Credit card number</TITLE><GROUP>CC</GROUP><DESCRIPTION>d</DESCRIPTION><IMPACT>i</IMPACT><SOLUTION>s</SOLUTION></QID>
<QID><QID>6</QID><CATEGORY>Information Gathered</CATEGORY><SEVERITY>3</SEVERITY><TITLE>DNS Host Name</TITLE><GROUP>IG-DIAG</GROUP><DESCRIPTION>d</DESCRIPTION><IMPACT>N/A</IMPACT><SOLUTION>N/A</SOLUTION></QID>
</QID_LIST>
<OWASP_LIST><OWASP><CODE>A7</CODE><NAME>Cross-Site Scripting (XSS)</NAME></OWASP></OWASP_LIST>
<WASC_LIST><WASC><CODE>WASC-8</CODE><NAME>CROSS-SITE SCRIPTING</NAME></WASC></WASC_LIST>
</GLOSSARY>`;

export function scanReport(findings: FixtureFinding[], appendix?: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE WAS_SCAN_REPORT SYSTEM "https://qualysguard.example/was_scan_report.dtd">
<WAS_SCAN_REPORT>
<HEADER><NAME>Nightly scan</NAME><GENERATION_DATETIME>01 Apr 2020 01:16PM GMT-0400</GENERATION_DATETIME></HEADER>
<SUMMARY><GLOBAL_SUMMARY><VULNERABILITY>9</VULNERABILITY><INFORMATION_GATHERED>9</INFORMATION_GATHERED></GLOBAL_SUMMARY></SUMMARY>
<RESULTS>
${lists(findings, false)}
</RESULTS>
${GLOSSARY}
<APPENDIX>
<SCAN_LIST><SCAN><NAME>s</NAME><REFERENCE>was/1584045746255.2267109</REFERENCE></SCAN></SCAN_LIST>
${appendix ?? "<WEBAPP><ID>42</ID><NAME>Shop</NAME><URL>https://shop.example</URL></WEBAPP>"}
</APPENDIX>
</WAS_SCAN_REPORT>
`;
}

export function webAppReport(
  webApps: { id: number; name: string; url: string; findings: FixtureFinding[] }[],
): string {
  const blocks = webApps
    .map(
      (w) =>
        `<WEB_APPLICATION><ID>${w.id}</ID><NAME>${w.name}</NAME><URL>${w.url}</URL>\n${lists(w.findings, true)}\n</WEB_APPLICATION>`,
    )
    .join("\n");
  const appendix = webApps
    .map((w) => `<WEBAPP><ID>${w.id}</ID><NAME>${w.name}</NAME><URL>${w.url}</URL></WEBAPP>`)
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>
<WAS_WEBAPP_REPORT>
<HEADER><NAME>Web apps</NAME><GENERATION_DATETIME>02 Aug 2026 01:00PM UTC</GENERATION_DATETIME></HEADER>
<RESULTS>
${blocks}
</RESULTS>
${GLOSSARY}
<APPENDIX>${appendix}</APPENDIX>
</WAS_WEBAPP_REPORT>
`;
}

/** A first payload as real reports write it: request with headers and body, base64 response. */
export function payload(response: string, body = ""): string {
  const encoded = Buffer.from(response, "utf8").toString("base64");
  return `<PAYLOADS><PAYLOAD><NUM>1</NUM><PAYLOAD>&lt;script&gt;</PAYLOAD><REQUEST><METHOD>POST</METHOD><URL>https://shop.example/search</URL><HEADERS><HEADER><key>Host</key><value><![CDATA[ shop.example
]]></value></HEADER><HEADER><key>Accept</key><value>*/*</value></HEADER></HEADERS><BODY>${body}</BODY></REQUEST><RESPONSE><CONTENTS base64="true">${encoded}</CONTENTS></RESPONSE></PAYLOAD><PAYLOAD><NUM>2</NUM><REQUEST><METHOD>GET</METHOD><URL>https://shop.example/second</URL></REQUEST></PAYLOAD></PAYLOADS>`;
}

export interface ZipEntry {
  name: string;
  data: Buffer;
  method?: "stored" | "deflate";
  /** Sizes and CRC after the data (general purpose flag bit 3) instead of in the local header. */
  descriptor?: boolean;
}

/** A zip archive (APPNOTE.TXT 4.3): local headers and data, central directory, end record. */
export function zip(entries: ZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const method = entry.method ?? "deflate";
    const data = method === "deflate" ? deflateRawSync(entry.data) : entry.data;
    const crc = crc32(entry.data) >>> 0;
    const name = Buffer.from(entry.name, "utf8");
    const flags = 0x800 | (entry.descriptor ? 0x8 : 0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method === "deflate" ? 8 : 0, 8);
    local.writeUInt32LE(entry.descriptor ? 0 : crc, 14);
    local.writeUInt32LE(entry.descriptor ? 0 : data.length, 18);
    local.writeUInt32LE(entry.descriptor ? 0 : entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const descriptor = Buffer.alloc(entry.descriptor ? 16 : 0);
    if (entry.descriptor) {
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc, 4);
      descriptor.writeUInt32LE(data.length, 8);
      descriptor.writeUInt32LE(entry.data.length, 12);
    }
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(flags, 8);
    header.writeUInt16LE(method === "deflate" ? 8 : 0, 10);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(data.length, 20);
    header.writeUInt32LE(entry.data.length, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    parts.push(local, name, data, descriptor);
    offset += local.length + name.length + data.length + descriptor.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

/** A stream source that hands the bytes over `size` at a time, so every boundary case is crossed. */
export function streamOf(
  bytes: Buffer | string,
  name = "-",
  size = 4096,
): { stream: AsyncIterable<Uint8Array>; name: string } {
  const buffer = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
  return {
    name,
    stream: (async function* () {
      for (let at = 0; at < buffer.length; at += size) yield buffer.subarray(at, at + size);
    })(),
  };
}
