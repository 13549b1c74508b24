/**
 * What keeps memory flat and nothing behind: evidence capped (and marked so), text nodes of hundreds of megabytes
 * streamed through without being held, the temporary findings file removed however the read ends, and abort.
 */

import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { gzipSync } from "node:zlib";
import { EVIDENCE_MAX } from "@qualys-connector/model";
import { afterAll, describe, expect, it } from "vitest";
import { ReportFormatError, type ReportSource, readReport } from "../src/index.js";
import { findings, readAll, scanReport, streamOf, zip } from "./report-fixtures.js";

const temp = mkdtempSync(path.join(tmpdir(), "reports-limits-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A scan report whose one finding's first payload has a response of `size` bytes, streamed without building it. */
function hugeResponse(size: number, chunk: number): ReportSource {
  const [head, tail] = scanReport([
    {
      uniqueId: "big",
      extra: `<PAYLOADS><PAYLOAD><NUM>1</NUM><RESPONSE><CONTENTS base64="true">@@</CONTENTS></RESPONSE></PAYLOAD></PAYLOADS>`,
    },
  ]).split("@@") as [string, string];
  // "QUJD" is base64 of "ABC": the decoded response is ABCABC…
  const piece = Buffer.from("QUJD".repeat(chunk / 4));
  return {
    name: "huge.xml",
    stream: (async function* () {
      yield Buffer.from(head);
      for (let sent = 0; sent < size; sent += piece.length) yield piece;
      yield Buffer.from(tail);
    })(),
  };
}

describe("evidence caps", () => {
  it("cuts request and response at EVIDENCE_MAX characters and says so", async () => {
    const long = "x".repeat(EVIDENCE_MAX * 2);
    const [finding] = findings(
      await readAll(
        streamOf(
          scanReport([
            {
              uniqueId: "u",
              extra: `<PAYLOADS><PAYLOAD><REQUEST><METHOD>POST</METHOD><URL>https://shop.example/</URL><BODY>${long}</BODY></REQUEST><RESPONSE><CONTENTS base64="true">${Buffer.from(`é${long}`).toString("base64")}</CONTENTS></RESPONSE></PAYLOAD></PAYLOADS>`,
            },
          ]),
        ),
      ),
    );
    expect(finding?.evidence.truncated).toBe(true);
    expect(finding?.evidence.request?.length).toBe(EVIDENCE_MAX);
    expect(finding?.evidence.request?.startsWith("POST https://shop.example/\n\n\nxxx")).toBe(true);
    expect(finding?.evidence.response).toBe(`é${long}`.slice(0, EVIDENCE_MAX));
  });

  it("a response just under the cap is whole and not marked", async () => {
    const text = "y".repeat(EVIDENCE_MAX);
    const [finding] = findings(
      await readAll(
        streamOf(
          scanReport([
            {
              uniqueId: "u",
              extra: `<PAYLOADS><PAYLOAD><RESPONSE><CONTENTS base64="true">${Buffer.from(text).toString("base64")}</CONTENTS></RESPONSE></PAYLOAD></PAYLOADS>`,
            },
          ]),
          "-",
          1000,
        ),
      ),
    );
    expect(finding?.evidence).toEqual({ request: undefined, response: text, truncated: false });
  });
});

describe("memory", () => {
  it("streams a 256 MB base64 response through with the heap flat, keeping its first EVIDENCE_MAX characters", async () => {
    let peak = 0;
    const before = process.memoryUsage().heapUsed;
    const items = await readAll(hugeResponse(256 * 1024 * 1024, 256 * 1024), {
      onProgress: () => {
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      },
    });
    const [finding] = findings(items);
    expect(finding?.evidence.response).toBe("ABC".repeat(EVIDENCE_MAX).slice(0, EVIDENCE_MAX));
    expect(finding?.evidence.truncated).toBe(true);
    expect(items.at(-1)).toMatchObject({ type: "end", provenance: { bytes: expect.any(Number) } });
    // The text node alone is 256 MB; holding it (as a string, twice the bytes) would show here.
    expect(peak - before).toBeLessThan(96 * 1024 * 1024);
  }, 120_000);
});

describe("the temporary findings file", () => {
  const report = scanReport([{ uniqueId: "a" }, { uniqueId: "b" }, { uniqueId: "c" }]);
  const folder = () => {
    const own = mkdtempSync(path.join(temp, "t-"));
    return { own, left: () => readdirSync(own) };
  };

  it("is removed after a read, an error, an early stop and an abort", async () => {
    const done = folder();
    await readAll(streamOf(report), { tempDir: done.own });
    expect(done.left()).toEqual([]);

    const failed = folder();
    await expect(readAll(streamOf(`${report.slice(0, -30)}`), { tempDir: failed.own })).rejects.toThrow(
      ReportFormatError,
    );
    expect(failed.left()).toEqual([]);

    const stopped = folder();
    let seenSpool = false;
    for await (const item of readReport(streamOf(report), { tempDir: stopped.own })) {
      if (item.type === "finding") {
        seenSpool = stopped.left().length === 1;
        break;
      }
    }
    expect(seenSpool).toBe(true);
    expect(stopped.left()).toEqual([]);

    const aborted = folder();
    const controller = new AbortController();
    const reading = readAll(streamOf(report, "-", 64), {
      tempDir: aborted.own,
      signal: controller.signal,
      onProgress: (bytes) => {
        if (bytes > 500) controller.abort(new Error("stop now"));
      },
    });
    await expect(reading).rejects.toThrow("stop now");
    expect(aborted.left()).toEqual([]);
  });

  it("an abort while a gzip or zip is inflated is the abort, not a corrupt container", async () => {
    const bytes = gzipSync(Buffer.from(report));
    for (const [name, data] of [
      ["r.gz", bytes],
      ["r.zip", zip([{ name: "r.xml", data: Buffer.from(report), descriptor: true }])],
    ] as const) {
      const controller = new AbortController();
      const reason = new Error(`stop ${name}`);
      const reading = readAll(streamOf(data, name, 32), {
        signal: controller.signal,
        onProgress: (n) => {
          if (n > 64) controller.abort(reason);
        },
      });
      await expect(reading).rejects.toBe(reason);
    }
  });

  it("an already aborted signal reads nothing", async () => {
    const controller = new AbortController();
    controller.abort();
    const own = mkdtempSync(path.join(temp, "a-"));
    await expect(readAll(streamOf(report), { signal: controller.signal, tempDir: own })).rejects.toThrow(
      /abort/i,
    );
    expect(readdirSync(own)).toEqual([]);
  });

  it("an abort while the source waits for bytes ends the read at once and destroys the source", async () => {
    // Half a report, then nothing: a pipe whose writer stalls. The read must not wait for bytes that never come.
    const [head] = scanReport([{ uniqueId: "a" }, { uniqueId: "b" }]).split("</VULNERABILITY>") as [string];
    const source = new PassThrough();
    source.write(`${head}</VULNERABILITY>`);
    const controller = new AbortController();
    const reason = new Error("stop");
    const reading = readAll(
      { stream: source, name: "stalled.xml" },
      {
        signal: controller.signal,
        onProgress: () => setImmediate(() => controller.abort(reason)),
      },
    );
    await expect(reading).rejects.toBe(reason);
    expect(source.destroyed).toBe(true);
  });
});
