/** createDispatcher refuses CA files and proxies that cannot work, naming the option; the CLI maps it to the flag. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { QualysConfigError } from "../src/errors.js";
import { createDispatcher } from "../src/transport.js";

/** A self-signed certificate made for this test (openssl req -x509, EC P-256, valid for 100 years). */
const CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBnDCCAUOgAwIBAgIUbzk+u1gOpRuLM+nnmXOcjQ3679wwCgYIKoZIzj0EAwIw
IzEhMB8GA1UEAwwYcXVhbHlzLWNvbm5lY3RvciB0ZXN0IENBMCAXDTI2MTIwNzE5
NDc1MFoYDzIxMjYxMTEzMTk0NzUwWjAjMSEwHwYDVQQDDBhxdWFseXMtY29ubmVj
dG9yIHRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARjtLs506IYY9jk
rmmKXhMxT/CfT4eW+gsSG34aAQh3pGNnq4ycbSMMaALc0EyfYFCyd/cEQU7TLOWQ
GCR3A1S6o1MwUTAdBgNVHQ4EFgQUBq9b+qUIfpj1bk+hTDgJfPLWFIQwHwYDVR0j
BBgwFoAUBq9b+qUIfpj1bk+hTDgJfPLWFIQwDwYDVR0TAQH/BAUwAwEB/zAKBggq
hkjOPQQDAgNHADBEAiANSeRBrDNSohAkwCm9A+BaSx6AC1qWnz+sMNRMPsD3tAIg
WXgeucsI5Nris5FK9GORXCJdvkg7Q9X1Wu5rvC1Ve50=
-----END CERTIFICATE-----`;
const BEGIN = "-----BEGIN CERTIFICATE-----";
const END = "-----END CERTIFICATE-----";

function file(name: string, content: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "qc-dispatcher-"));
  const out = path.join(dir, name);
  writeFileSync(out, content);
  return out;
}

describe("createDispatcher options", () => {
  it("accepts a PEM file with a certificate", async () => {
    const dispatcher = createDispatcher({ caFile: file("ca.pem", `# our CA\n${CERTIFICATE}\n`) });
    await dispatcher.close();
  });

  it.each([
    ["a text file", "not a certificate at all\n", /^caFile: ".*" holds no PEM certificate/],
    ["a binary file", "\u0030\u0082\u0001\u009c", /^caFile: ".*" holds no PEM certificate/],
    [
      "a garbled PEM block",
      `${BEGIN}\nAAAA\n${END}\n`,
      /^caFile: ".*" holds a PEM certificate that cannot be read/,
    ],
  ])("refuses %s as caFile", (_what, content, message) => {
    const caFile = file("ca.pem", content);
    expect(() => createDispatcher({ caFile })).toThrow(QualysConfigError);
    expect(() => createDispatcher({ caFile })).toThrow(message);
  });

  it.each([
    [
      "socks5://127.0.0.1:1080",
      /^proxy: the scheme "socks5:" is not supported; expected http:\/\/ or https:\/\//,
    ],
    ["u:p@h:1", /^proxy: the scheme "u:" is not supported/],
    ["not a url", /^proxy: not a URL/],
  ])("refuses the proxy %s, naming the option, without echoing the password", (proxy, message) => {
    expect(() => createDispatcher({ proxy })).toThrow(QualysConfigError);
    expect(() => createDispatcher({ proxy })).toThrow(message);
    expect(() => createDispatcher({ proxy })).not.toThrow(/p@h/);
  });

  it("accepts http and https proxies", async () => {
    for (const proxy of ["http://user:p%40ss@127.0.0.1:3128", "https://127.0.0.1:3129"]) {
      await createDispatcher({ proxy }).close();
    }
  });
});
