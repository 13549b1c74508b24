import { describe, expect, it } from "vitest";
import {
  endpointsFromApiUrl,
  PLATFORM_IDS,
  platformEndpoints,
  portalUrl,
  QualysConfigError,
  resolvePlatform,
} from "../src/index.js";

describe("platforms", () => {
  it("knows the 13 shared platforms of docs/qualys-api.md 1.1", () => {
    expect(PLATFORM_IDS).toEqual([
      "US1",
      "US2",
      "US3",
      "US4",
      "EU1",
      "EU2",
      "EU3",
      "IN1",
      "CA1",
      "AE1",
      "UK1",
      "AU1",
      "KSA1",
    ]);
    expect(platformEndpoints("eu2")).toMatchObject({
      api: "https://qualysapi.qg2.apps.qualys.eu",
      gateway: "https://gateway.qg2.apps.qualys.eu",
      platform: "EU2",
    });
  });

  it("rejects an unknown platform and names the flag and the choices", () => {
    expect(() => platformEndpoints("MARS1")).toThrow(QualysConfigError);
    expect(() => platformEndpoints("MARS1")).toThrow(
      /platform: unknown platform "MARS1"; expected one of US1, US2/,
    );
  });

  it("maps a platform API URL back to its row, with or without a trailing slash", () => {
    expect(endpointsFromApiUrl("https://qualysapi.qg3.apps.qualys.com/").platform).toBe("US3");
    expect(endpointsFromApiUrl("https://qualysapi.qualys.com").gateway).toBe(
      "https://gateway.qg1.apps.qualys.com",
    );
  });

  it("derives gateway and portal for other hosts as JWAS does, and serves a loopback simulator on one origin", () => {
    expect(endpointsFromApiUrl("https://qualysapi.qg9.apps.qualys.com")).toMatchObject({
      gateway: "https://gateway.qg9.apps.qualys.com",
      portal: "https://qualysguard.qg9.apps.qualys.com",
      platform: "private",
    });
    expect(endpointsFromApiUrl("https://qualysapi.bank.example").gateway).toBe(
      "https://qualysgateway.bank.example",
    );
    expect(endpointsFromApiUrl("http://127.0.0.1:8443")).toEqual({
      api: "http://127.0.0.1:8443",
      gateway: "http://127.0.0.1:8443",
      portal: "http://127.0.0.1:8443",
      platform: "private",
    });
  });

  it("refuses URLs it cannot use, naming the input", () => {
    expect(() => endpointsFromApiUrl("not a url")).toThrow(/apiUrl: "not a url" is not a URL/);
    expect(() => endpointsFromApiUrl("http://qualysapi.qualys.com.example")).toThrow(
      /must use https outside this machine/,
    );
    expect(() => endpointsFromApiUrl("https://scanner.bank.example")).toThrow(
      /should start with "qualysapi."/,
    );
  });
});

describe("resolvePlatform", () => {
  it("resolves a platform id or an API URL, with an explicit gateway override for private clouds", () => {
    expect(resolvePlatform({ platform: "eu2" })).toMatchObject({
      api: "https://qualysapi.qg2.apps.qualys.eu",
      gateway: "https://gateway.qg2.apps.qualys.eu",
      portal: "https://qualysguard.qg2.apps.qualys.eu",
    });
    expect(
      resolvePlatform({ apiUrl: "https://qualysapi.bank.example", gatewayUrl: "https://gw.bank.example/" }),
    ).toMatchObject({ api: "https://qualysapi.bank.example", gateway: "https://gw.bank.example" });
    expect(resolvePlatform({ apiUrl: "http://127.0.0.1:8443" })).toMatchObject({
      api: "http://127.0.0.1:8443",
      gateway: "http://127.0.0.1:8443",
      portal: "http://127.0.0.1:8443",
    });
    expect(portalUrl("https://qualysapi.qg3.apps.qualys.com")).toBe(
      "https://qualysguard.qg3.apps.qualys.com",
    );
  });

  it("refuses both or neither of platform and API URL, and a malformed gateway", () => {
    expect(() => resolvePlatform({})).toThrow(QualysConfigError);
    expect(() => resolvePlatform({ platform: "US1", apiUrl: "https://qualysapi.qualys.com" })).toThrow(
      /not both/,
    );
    expect(() => resolvePlatform({ platform: "US1", gatewayUrl: "::" })).toThrow(/gatewayUrl/);
  });
});
