/**
 * A WAS_SCAN_REPORT of any size, generated as a stream (never whole in memory), shaped like real exports
 * (docs/qualys-api.md 6.1): vulnerabilities with request headers and base64 responses of a few kilobytes, a
 * share of information-gathered records with base64 data, a glossary of every QID used and the appendix with
 * the scan and its web app. Deterministic for a given size, so two runs read the same bytes. Exported for the
 * report benchmarks (parse here; import into a store elsewhere).
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";

export interface GeneratedReportFacts {
  bytes: number;
  vulnerabilities: number;
  informationGathered: number;
  qids: number;
  webAppId: number;
}

/** A small linear congruential generator: the same sequence for the same seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const WEB_APP_ID = 57_405_567;
const VULN_QIDS = Array.from({ length: 120 }, (_, i) => 150_000 + i * 3);
const IG_QIDS = Array.from({ length: 60 }, (_, i) => 150_500 + i);
const WORDS =
  "the server response page form input header cookie session value script request user account login search".split(
    " ",
  );

function sentence(next: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i += 1) out.push(WORDS[Math.floor(next() * WORDS.length)] ?? "x");
  return out.join(" ");
}

/** An HTML-like response body of about `size` bytes, as base64 (what CONTENTS holds). */
function responseBase64(next: () => number, size: number): string {
  const body = `HTTP/1.1 200 OK\nContent-Type: text/html\n\n<html><body>${sentence(next, Math.ceil(size / 6))}</body></html>`;
  return Buffer.from(body.slice(0, size), "utf8").toString("base64");
}

function vulnerability(next: () => number, n: number): string {
  const qid = VULN_QIDS[Math.floor(next() * VULN_QIDS.length)] ?? 150_000;
  const url = `https://shop.example.com/app/page${n % 5000}?id=${n}`;
  const payloads: string[] = [];
  const count = 1 + Math.floor(next() * 3);
  for (let p = 1; p <= count; p += 1) {
    payloads.push(`                    <PAYLOAD>
                        <NUM>${p}</NUM>
                        <PAYLOAD><![CDATA[<script>alert(${n})</script>]]></PAYLOAD>
                        <REQUEST>
                            <METHOD>GET</METHOD>
                            <URL><![CDATA[${url}&q=%3Cscript%3E]]></URL>
                            <HEADERS>
                                <HEADER><key>Host</key><value><![CDATA[ shop.example.com
]]></value></HEADER>
                                <HEADER><key>User-Agent</key><value><![CDATA[ Mozilla/5.0 (compatible; scanner)
]]></value></HEADER>
                                <HEADER><key>Cookie</key><value><![CDATA[ session=${n.toString(16)}
]]></value></HEADER>
                            </HEADERS>
                        </REQUEST>
                        <RESPONSE>
                            <CONTENTS base64="true">${responseBase64(next, 2000 + Math.floor(next() * 10_000))}</CONTENTS>
                        </RESPONSE>
                    </PAYLOAD>`);
  }
  return `            <VULNERABILITY>
                <UNIQUE_ID>${n.toString(16).padStart(8, "0")}-7bb0-11ea-ac65-5fc1d89b8cc7</UNIQUE_ID>
                <ID>${100_000_000 + n}</ID>
                <DETECTION_ID>${6_000_000 + n}</DETECTION_ID>
                <QID>${qid}</QID>
                <URL><![CDATA[${url}]]></URL>
                <PARAM>id</PARAM>
                <AJAX>false</AJAX>
                <AUTHENTICATION>${next() < 0.3 ? "Required" : "Not Required"}</AUTHENTICATION>
                <DETECTION_DATE>12 Mar 2020 04:42PM GMT-0400</DETECTION_DATE>
                <POTENTIAL>${next() < 0.2 ? "true" : "false"}</POTENTIAL>
                <PAYLOADS>
${payloads.join("\n")}
                </PAYLOADS>
                <IGNORED>false</IGNORED>
            </VULNERABILITY>
`;
}

function informationGathered(next: () => number, n: number): string {
  const qid = IG_QIDS[Math.floor(next() * IG_QIDS.length)] ?? 150_500;
  const data = Buffer.from(sentence(next, 200 + Math.floor(next() * 600))).toString("base64");
  return `            <INFORMATION_GATHERED>
                <UNIQUE_ID>${n.toString(16).padStart(8, "0")}-7bb1-11ea-a51a-c30b86e854b1</UNIQUE_ID>
                <ID>${200_000_000 + n}</ID>
                <DETECTION_ID>${2_000_000 + n}</DETECTION_ID>
                <QID>${qid}</QID>
                <LAST_TIME_DETECTED>12 Mar 2020 04:42PM GMT-0400</LAST_TIME_DETECTED>
                <DATA base64="true">${data}</DATA>
            </INFORMATION_GATHERED>
`;
}

function glossary(next: () => number): string {
  const entry = (qid: number, category: string, severity: number, group: string) => `            <QID>
                <QID>${qid}</QID>
                <CATEGORY>${category}</CATEGORY>
                <SEVERITY>${severity}</SEVERITY>
                <TITLE>Generated check ${qid}</TITLE>
                <GROUP>${group}</GROUP>
                <OWASP>A7</OWASP>
                <WASC>WASC-8</WASC>
                <CWE>CWE-79</CWE>
                <CVSS_BASE>4.3</CVSS_BASE>
                <DESCRIPTION><![CDATA[${sentence(next, 80)}<P>${sentence(next, 40)}]]></DESCRIPTION>
                <IMPACT>${sentence(next, 30)}</IMPACT>
                <SOLUTION><![CDATA[${sentence(next, 40)}]]></SOLUTION>
            </QID>
`;
  return `    <GLOSSARY>
        <QID_LIST>
${VULN_QIDS.map((q, i) => entry(q, "Confirmed Vulnerability", 1 + (i % 5), "XSS")).join("")}${IG_QIDS.map((q, i) => entry(q, "Information Gathered", 1 + (i % 3), "IG-DIAG")).join("")}        </QID_LIST>
        <OWASP_LIST><OWASP><CODE>A7</CODE><NAME>Cross-Site Scripting (XSS)</NAME></OWASP></OWASP_LIST>
        <WASC_LIST><WASC><CODE>WASC-8</CODE><NAME>CROSS-SITE SCRIPTING</NAME></WASC></WASC_LIST>
    </GLOSSARY>
`;
}

const HEAD = `<?xml version='1.0' encoding='UTF-8'?>
<WAS_SCAN_REPORT>
    <HEADER>
        <NAME>Generated Scan Report</NAME>
        <GENERATION_DATETIME>01 Apr 2020 01:15PM GMT-0400</GENERATION_DATETIME>
    </HEADER>
    <TARGET><SCAN>Generated scan</SCAN></TARGET>
    <RESULTS>
`;

const APPENDIX = `    <APPENDIX>
        <SCAN_LIST><SCAN><NAME>Generated scan</NAME><REFERENCE>was/1584045746255.2267109</REFERENCE></SCAN></SCAN_LIST>
        <WEBAPP><ID>${WEB_APP_ID}</ID><NAME>Generated shop</NAME><URL>https://shop.example.com</URL></WEBAPP>
    </APPENDIX>
</WAS_SCAN_REPORT>
`;

/**
 * The report's text in chunks of about 1 MB, about `targetBytes` long in all (the results are sized so that the
 * whole document lands within a few kilobytes of it). `facts` is filled in as it goes.
 */
export async function* wasScanReportChunks(
  targetBytes: number,
  facts?: GeneratedReportFacts,
): AsyncGenerator<Buffer> {
  const next = random(20_200_401);
  const tail = `    </RESULTS>\n${glossary(random(7))}${APPENDIX}`;
  const budget = targetBytes - Buffer.byteLength(HEAD) - Buffer.byteLength(tail);
  let bytes = 0;
  let vulns = 0;
  let igs = 0;
  const emit = (text: string) => {
    const buffer = Buffer.from(text, "utf8");
    bytes += buffer.length;
    return buffer;
  };
  yield emit(HEAD);
  let used = 0;
  // Vulnerabilities first, then the information gathered (the order of real reports): about 15% of the results'
  // bytes are information gathered.
  const vulnBudget = budget * 0.85;
  const parts: string[] = [];
  let partBytes = 0;
  const flush = () => {
    const out = emit(parts.join(""));
    parts.length = 0;
    partBytes = 0;
    return out;
  };
  parts.push("        <VULNERABILITY_LIST>\n");
  while (used < vulnBudget) {
    const text = vulnerability(next, vulns);
    vulns += 1;
    used += text.length;
    parts.push(text);
    partBytes += text.length;
    if (partBytes > 1_000_000) yield flush();
  }
  parts.push("        </VULNERABILITY_LIST>\n        <INFORMATION_GATHERED_LIST>\n");
  while (used < budget) {
    const text = informationGathered(next, igs);
    igs += 1;
    used += text.length;
    parts.push(text);
    partBytes += text.length;
    if (partBytes > 1_000_000) yield flush();
  }
  parts.push("        </INFORMATION_GATHERED_LIST>\n");
  yield flush();
  yield emit(tail);
  if (facts) {
    facts.bytes = bytes;
    facts.vulnerabilities = vulns;
    facts.informationGathered = igs;
    facts.qids = VULN_QIDS.length + IG_QIDS.length;
    facts.webAppId = WEB_APP_ID;
  }
}

/** Writes a generated report to `file` and says what is in it. */
export async function writeWasScanReport(file: string, targetBytes: number): Promise<GeneratedReportFacts> {
  const facts: GeneratedReportFacts = {
    bytes: 0,
    vulnerabilities: 0,
    informationGathered: 0,
    qids: 0,
    webAppId: 0,
  };
  const out = createWriteStream(file);
  for await (const chunk of wasScanReportChunks(targetBytes, facts)) {
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return facts;
}

/**
 * A WAS_SCAN_REPORT of one vulnerability whose first payload's response is a single base64 text node of
 * `bytes` bytes, in 64 KB chunks: the worst case for a reader that holds text nodes whole.
 */
export async function* hugeTextReport(bytes: number): AsyncGenerator<Buffer> {
  yield Buffer.from(`${HEAD}        <VULNERABILITY_LIST>
            <VULNERABILITY><UNIQUE_ID>huge</UNIQUE_ID><ID>1</ID><QID>${VULN_QIDS[0]}</QID><URL>https://shop.example.com/</URL>
                <PAYLOADS><PAYLOAD><NUM>1</NUM><RESPONSE><CONTENTS base64="true">`);
  // "QUJD" is base64 of "ABC".
  const piece = Buffer.from("QUJD".repeat(16 * 1024));
  for (let sent = 0; sent < bytes; sent += piece.length) yield piece;
  yield Buffer.from(`</CONTENTS></RESPONSE></PAYLOAD></PAYLOADS><IGNORED>false</IGNORED></VULNERABILITY>
        </VULNERABILITY_LIST>
    </RESULTS>
${glossary(random(7))}${APPENDIX}`);
}
