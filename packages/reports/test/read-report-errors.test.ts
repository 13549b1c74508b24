/**
 * Bad input: every kind is a ReportFormatError naming the file, line and column, and nothing after it.
 */

import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ReportFormatError, readReport } from "../src/index.js";
import { scanReport, streamOf, zip } from "./report-fixtures.js";

async function failure(text: string | Buffer, name = "bad.xml", size = 1 << 20): Promise<ReportFormatError> {
  try {
    for await (const _ of readReport(streamOf(text, name, size))) {
      // read to the end
    }
  } catch (error) {
    if (error instanceof ReportFormatError) return error;
    throw error;
  }
  throw new Error("no error");
}

const HEAD = '<?xml version="1.0"?>\n';

describe("bad report files", () => {
  it.each([
    [
      "malformed XML",
      `${HEAD}<WAS_SCAN_REPORT>\n<HEADER></HEADR>\n</WAS_SCAN_REPORT>`,
      3,
      16,
      /malformed XML: unexpected close tag/,
    ],
    [
      "a truncated document",
      `${HEAD}<WAS_SCAN_REPORT>\n<RESULTS>\n<VULNERABILITY_LIST>`,
      4,
      20,
      /malformed XML: unclosed tag: VULNERABILITY_LIST/,
    ],
    [
      "a wrong root",
      `${HEAD}<SCAN value="scan/1">\n</SCAN>`,
      2,
      21,
      /root element <SCAN> is not a WAS report/,
    ],
    [
      "a DOCTYPE with an internal subset",
      `${HEAD}<!DOCTYPE WAS_SCAN_REPORT [\n<!ELEMENT WAS_SCAN_REPORT ANY>\n]>\n<WAS_SCAN_REPORT/>`,
      4,
      2,
      /DOCTYPE with an internal subset/,
    ],
    [
      "an entity bomb",
      `${HEAD}<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;">\n]>\n<WAS_SCAN_REPORT>&lol1;</WAS_SCAN_REPORT>`,
      5,
      2,
      /DOCTYPE with an internal subset/,
    ],
    [
      "an undeclared entity",
      `${HEAD}<WAS_SCAN_REPORT>&lol1;</WAS_SCAN_REPORT>`,
      2,
      23,
      /malformed XML: undefined entity/,
    ],
    [
      "nesting deeper than 64",
      `${HEAD}<WAS_SCAN_REPORT>\n${"<A>".repeat(64)}${"</A>".repeat(64)}</WAS_SCAN_REPORT>`,
      3,
      192,
      /elements nested deeper than 64/,
    ],
    [
      "text after the root",
      `${HEAD}<WAS_SCAN_REPORT></WAS_SCAN_REPORT>\ntrailing`,
      3,
      8,
      /malformed XML: text data outside of root node/,
    ],
    ["an empty file", "", 1, 1, /the file is empty/],
    ["neither XML nor JSON", "hello", 1, 1, /not a report/],
  ])("%s", async (_, text, line, column, reason) => {
    const error = await failure(text);
    expect(error.reason).toMatch(reason);
    expect([error.file, error.line, error.column]).toEqual(["bad.xml", line, column]);
    expect(error.message).toBe(`bad.xml:${line}:${column}: ${error.reason}`);
  });

  it("notices an internal subset split over many small chunks while it is still open", async () => {
    const error = await failure(
      `${HEAD}<!DOCTYPE WAS_SCAN_REPORT [\n<!ENTITY a "${"b".repeat(5000)}">\n]>\n<WAS_SCAN_REPORT/>`,
      "bad.xml",
      16,
    );
    expect(error.reason).toMatch(/DOCTYPE with an internal subset/);
    expect([error.line, error.column]).toEqual([3, 14]);
  });

  it("refuses markup longer than 1 MB (an attribute value) while it is still open", async () => {
    const text = `${HEAD}<WAS_SCAN_REPORT note="${"a".repeat(3 * 1024 * 1024)}"></WAS_SCAN_REPORT>`;
    const error = await failure(text, "bad.xml", 64 * 1024);
    expect(error.reason).toMatch(/markup longer than 1048576 characters/);
    expect(error.line).toBe(2);
    expect(error.column).toBeGreaterThan(1024 * 1024);
    expect(error.column).toBeLessThan(1024 * 1024 + 128 * 1024);
  });

  it("accepts a DOCTYPE line naming an external DTD, which it never fetches", async () => {
    const items = [];
    for await (const item of readReport(streamOf(scanReport([{ uniqueId: "u" }])))) items.push(item);
    expect(items.at(-1)?.type).toBe("end");
  });

  it.each([
    ["a QID that is not an integer", { qid: "15OOO1" }, /VULNERABILITY QID "15OOO1" is not an integer/],
    ["an ID that is not an integer", { id: "1.5" }, /VULNERABILITY ID "1.5" is not an integer/],
    [
      "a date that does not parse",
      { date: "31 Feb 2020 04:42PM GMT" },
      /DETECTION_DATE "31 Feb 2020 04:42PM GMT" is not a date/,
    ],
    ["a record without a QID", { qid: "" }, /VULNERABILITY without a QID/],
  ])("%s, at the record's end", async (_, finding, reason) => {
    const text = scanReport([{ uniqueId: "u", ...finding }]);
    const error = await failure(text);
    expect(error.reason).toMatch(reason);
    // The position is where the record closes: the `>` of its end tag.
    const lines = text.split("\n");
    const line = lines.findIndex((l) => l.includes("<VULNERABILITY_LIST><VULNERABILITY>")) + 1;
    const end = "</VULNERABILITY></VULNERABILITY_LIST>";
    expect([error.line, error.column]).toEqual([
      line,
      (lines[line - 1] ?? "").indexOf(end) + "</VULNERABILITY>".length,
    ]);
  });

  it("a corrupt gzip or zip container", async () => {
    const gz = gzipSync(Buffer.from(scanReport([{ uniqueId: "u" }])));
    gz.fill(0x41, 40, 60);
    expect((await failure(gz, "report.xml.gz")).reason).toMatch(/corrupt gzip data/);
    const cut = gzipSync(Buffer.from(scanReport([{ uniqueId: "u" }]))).subarray(0, 200);
    expect((await failure(cut, "cut.gz")).reason).toMatch(/corrupt gzip data|unclosed tag|unexpected end/);
    const z = zip([{ name: "r.xml", data: Buffer.from(scanReport([{ uniqueId: "u" }])) }]);
    z.fill(0x41, 60, 80);
    expect((await failure(z, "r.zip")).reason).toMatch(/corrupt zip \(r\.xml\) data/);
    expect((await failure(z.subarray(0, 20), "short.zip")).reason).toMatch(
      /ends inside its first file header/,
    );
  });

  it.each([
    [
      "malformed JSON",
      '{"schemaVersion": 1,\n "verdict": "passed",\n "findings": [,]}',
      3,
      15,
      /malformed JSON: unexpected ","/,
    ],
    ["a truncated JSON document", '{"schemaVersion": 1,\n "findings": [', 2, 14, /ends early/],
    ["a JSON object that is not a gate result", '{"hello": "world"}', 1, 18, /not a gate result/],
    [
      "a finding whose qid is text",
      '{"verdict":"failed","findings":[{"qid":"x","target":"1"}]}',
      1,
      56,
      /finding qid "x" is not an integer/,
    ],
  ])("%s", async (_, text, line, column, reason) => {
    const error = await failure(text, "result.json");
    expect(error.reason).toMatch(reason);
    expect([error.file, error.line, error.column]).toEqual(["result.json", line, column]);
  });
});
