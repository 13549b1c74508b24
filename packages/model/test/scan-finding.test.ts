import type { WasScanResults } from "@qualys-connector/client";
import { describe, expect, it } from "vitest";
import { RESULTS_MAX, wasScanFindings } from "../src/index.js";

function download(instances: WasScanResults["vulns"][number]["instances"]): WasScanResults {
  return {
    scan: {
      id: 1,
      name: "ci",
      reference: undefined,
      type: "VULNERABILITY",
      mode: undefined,
      status: "FINISHED",
      consolidatedStatus: undefined,
      resultsStatus: "FINISHED",
      authStatus: "NONE",
      launchedDate: undefined,
      scanDuration: undefined,
      webApp: { id: 5, name: "shop", url: "https://shop.example/" },
      profileId: undefined,
    },
    vulnsByLevel: [0, 0, 0, 0, 0],
    vulnsTotal: undefined,
    vulns: [{ qid: 150001, title: "XSS", uri: "https://shop.example/q", param: "q", severity: 3, instances }],
    igs: [],
  };
}

describe("wasScanFindings: evidence", () => {
  it("keeps the first payload that has text, with the response it matched", () => {
    const [finding] = wasScanFindings(
      download([
        { authenticated: false, payloads: [{ payload: "", result: undefined }] },
        {
          authenticated: true,
          payloads: [
            { payload: "<script>alert(1)</script>", result: "HTTP/1.1 200 OK\n\n<script>alert(1)</script>" },
            { payload: "second", result: "ignored" },
          ],
        },
      ]),
      new Map(),
    );
    expect(finding?.evidence).toEqual({
      request: "<script>alert(1)</script>",
      response: "HTTP/1.1 200 OK\n\n<script>alert(1)</script>",
      truncated: false,
    });
  });

  it(`cuts each text to RESULTS_MAX (${RESULTS_MAX}) characters and says so; none without payloads`, () => {
    const long = "a".repeat(RESULTS_MAX + 10);
    const [cut] = wasScanFindings(
      download([{ authenticated: false, payloads: [{ payload: "p", result: long }] }]),
      new Map(),
    );
    expect(cut?.evidence).toEqual({ request: "p", response: `${"a".repeat(RESULTS_MAX)}…`, truncated: true });
    const [none] = wasScanFindings(download([{ authenticated: false, payloads: [] }]), new Map());
    expect(none).not.toHaveProperty("evidence");
  });
});
