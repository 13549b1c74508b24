import { PAGE_SIZE, type QualysClient } from "@qualys-connector/client";
import { describe, expect, it } from "vitest";
import { wasGateApi } from "../src/was-gate-api.js";

/** A client whose findings search yields `total` findings of QID 1 and records the options of each search. */
function findingsClient(total: number, searches: { pageSize?: number }[]): QualysClient {
  return {
    was: {
      findings: {
        async *list(options: { pageSize?: number }) {
          searches.push(options);
          for (let i = 0; i < total; i += 1) yield { qid: 1, cwe: [], owasp: [], wasc: [] };
        },
      },
    },
  } as unknown as QualysClient;
}

describe("wasGateApi classifications", () => {
  it("asks for the largest page and stops after a bounded number of pages", async () => {
    const searches: { pageSize?: number }[] = [];
    const calls: string[] = [];
    // QID 2 never appears, so the search runs until its bound.
    const found = await wasGateApi(findingsClient(50 * PAGE_SIZE.max, searches), (p) =>
      calls.push(p),
    ).classifications(7, [1, 2]);
    expect(searches.map((s) => s.pageSize)).toEqual([PAGE_SIZE.max]);
    expect([...found.keys()]).toEqual([1]);
    // One call counted for the search, one per further page read: ten pages in all.
    expect(calls.filter((c) => c === "classifications")).toHaveLength(10);
  });
});
