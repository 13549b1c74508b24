import { describe, expect, it } from "vitest";
import {
  createQualysClient,
  excerpt,
  isSecretName,
  knownSecrets,
  parseJson,
  QualysHttpError,
  redact,
} from "../src/index.js";
import { fakeClock, res, scripted, simpleReturn } from "./fake-transport.js";

describe("redact", () => {
  it.each([
    ["Authorization: Basic c2ltX3VzZXI6c2ltLXBhc3N3b3Jk", "Authorization: Basic [REDACTED]"],
    [
      "authorization=Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.abcdefghij",
      "authorization=Bearer [REDACTED]",
    ],
    ["Cookie: QualysSession=0a1b2c3d4e5f; path=/api", "Cookie: QualysSession=[REDACTED]; path=/api"],
    ["action=login&username=u&password=p%C3%A9:x", "action=login&username=u&password=[REDACTED]"],
    ["https://q.example/auth?token=abc123&x=1", "https://q.example/auth?token=[REDACTED]&x=1"],
    ["clientSecret: s3cr3t-value", "clientSecret: [REDACTED]"],
    ["proxy http://alice:hunter2@proxy.example:3128", "proxy http://alice:[REDACTED]@proxy.example:3128"],
  ])("masks %s", (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it("masks known secrets verbatim and URL-encoded, including ':' and non-ASCII", () => {
    const secret = "pa:ss:wörd-é€";
    const text = `login failed for ${secret} (sent ${encodeURIComponent(secret)})`;
    const out = redact(text, [secret]);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).toBe("login failed for [REDACTED] (sent [REDACTED])");
  });

  it("errors are built from redacted parts", () => {
    const error = new QualysHttpError(
      502,
      { method: "GET", url: redact("https://x/?password=abc") },
      redact("QualysSession=zzz"),
    );
    expect(error.message).not.toContain("abc");
    expect(error.message).not.toContain("zzz");
    expect(error.retryable).toBe(true);
  });
});

describe("no secret in any log event or error", () => {
  it("session cookie, Bearer token, password and client secret stay out of events and messages", async () => {
    const events: unknown[] = [];
    const fake = scripted([
      res(200, "", { "set-cookie": "QualysSession=deadbeefcafe; path=/api" }),
      res(503, "<html>down; your cookie QualysSession=deadbeefcafe and password=Pa:ss-é-word</html>"),
      res(503, "again Pa:ss-é-word"),
    ]);
    const client = createQualysClient({
      apiUrl: "https://qualysapi.qualys.com",
      auth: { kind: "session", username: "u", password: "Pa:ss-é-word" },
      transport: fake.transport,
      clock: fakeClock().clock,
      retry: { maxRetries: 1 },
      log: (e) => events.push(e),
    });
    const error = await client.vm.networks().catch((e: unknown) => e);
    const everything = JSON.stringify(events) + String((error as Error).message) + JSON.stringify(error);
    expect(everything).not.toContain("deadbeefcafe");
    expect(everything).not.toContain("Pa:ss-é-word");
    expect(everything).toContain("[REDACTED]");
  });
});

describe("redact: shapes a server or proxy echoes back", () => {
  it.each([
    // A Basic value with no header name before it, in any case.
    ["echo: Basic dXNlcjpwYTpzcw== end", "echo: Basic [REDACTED] end"],
    ["echo: BASIC dXNlcjpwYTpzcw==", "echo: BASIC [REDACTED]"],
    ["<td>basic dXNlcjpwYTpzcw==</td>", "<td>basic [REDACTED]</td>"],
    // JSON members named like a secret.
    ['{"authorization":"Basic dXNlcjpwYTpzcw=="}', '{"authorization":"[REDACTED]"}'],
    ['{"Authorization": "Bearer opaque-token-1234"}', '{"Authorization": "[REDACTED]"}'],
    ['{"clientSecret":"s3cr3t value"}', '{"clientSecret":"[REDACTED]"}'],
    ['{"client_secret": "x\\"y"}', '{"client_secret": "[REDACTED]"}'],
    ['{"password":"pa ss","user":"u"}', '{"password":"[REDACTED]","user":"u"}'],
    ["{'password': 'pa ss'}", "{'password': '[REDACTED]'}"],
    // Bearer tokens that are not JWTs.
    ["Bearer 3f9a1c0e-opaque.token~x", "Bearer [REDACTED]"],
    ["Proxy-Authorization: Basic cHU6cHc=", "Proxy-Authorization: Basic [REDACTED]"],
    ["QUALYS_PASSWORD=hunter22", "QUALYS_PASSWORD=[REDACTED]"],
    ["<password>hunter22</password>", "<password>[REDACTED]</password>"],
    ['{"cookie":"QualysSession=0a1b2c3d"}', '{"cookie":"QualysSession=[REDACTED]"}'],
  ])("masks %s", (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it.each([
    "uses basic authentication over TLS",
    "Bearer authentication is required",
    "--password-file: cannot read the file",
    "config.password: required",
    "a password is required: QUALYS_PASSWORD, --password-file FILE or --password-stdin",
  ])("leaves prose alone: %s", (text) => {
    expect(redact(text)).toBe(text);
  });

  const password = "p@ss:w/rd é&=+ 100%";
  const basic = Buffer.from(`alice:${password}`, "utf8").toString("base64");

  it("masks a known secret raw, URL-encoded (both flavours, any hex case), JSON- and HTML-escaped", () => {
    const form = new URLSearchParams({ password }).toString().slice("password=".length);
    const texts = [
      password,
      encodeURIComponent(password),
      encodeURIComponent(password).toLowerCase(),
      form,
      JSON.stringify(`${password}"`).slice(1, -3),
      password.replace(/&/g, "&amp;"),
    ];
    for (const text of texts) {
      const out = redact(`x ${text} y`, [password]);
      expect(out, text).toBe("x [REDACTED] y");
    }
  });

  it("masks the base64 of user:password exactly, line-wrapped, and cut short", () => {
    const wrapped = `${basic.slice(0, 10)}\r\n ${basic.slice(10)}`;
    const cut = `${basic.slice(0, 20)}…`;
    for (const text of [basic, wrapped, cut, `${basic.slice(0, 20)}\\r\\n${basic.slice(20)}`]) {
      const out = redact(`credentials ${text} sent`, [basic]);
      expect(out, text).not.toContain(basic.slice(0, 12));
      expect(out).toContain("[REDACTED]");
    }
  });

  it("an excerpt is redacted before it is cut, so half a secret never shows", () => {
    const body = `${"x".repeat(290)} ${basic}`;
    const out = excerpt(body, [basic], 300);
    expect(out).not.toContain(basic.slice(0, 9));
  });
});

describe("the known-secret set", () => {
  it("holds the password and the base64 of user:password, and the proxy's", () => {
    const secrets = knownSecrets({
      auth: { kind: "basic", username: "alice", password: "pa:ss é" },
      proxy: "http://puser:pp%3Aw%2Fd@127.0.0.1:3128",
    });
    expect(secrets).toContain("pa:ss é");
    expect(secrets).toContain(Buffer.from("alice:pa:ss é", "utf8").toString("base64"));
    expect(secrets).toContain("pp:w/d");
    expect(secrets).toContain(Buffer.from("puser:pp:w/d", "utf8").toString("base64"));
    expect(knownSecrets({ auth: { kind: "oauth", clientId: "id", clientSecret: "cs-1" } })).toEqual(["cs-1"]);
  });

  it("isSecretName knows every spelling of the names", () => {
    for (const name of ["password", "clientSecret", "client_secret", "CLIENT-SECRET", "Authorization"])
      expect(isSecretName(name), name).toBe(true);
    for (const name of ["username", "clientId", "proxy"]) expect(isSecretName(name), name).toBe(false);
  });
});

describe("errors that quote an answer echoing the request", () => {
  const password = "Pa:ss/é w";
  const basic = Buffer.from(`u:${password}`, "utf8").toString("base64");
  const echo = `Authorization: Basic ${basic} {"authorization":"Basic ${basic}","password":"${password}"} raw ${basic} form password=${encodeURIComponent(password)}`;

  it.each([
    ["a SIMPLE_RETURN text (HTTP 200)", res(200, simpleReturn(999, echo))],
    ["an HTTP 500 body", res(500, echo)],
    ["an HTML page", res(200, `<html><body>${echo}</body></html>`)],
    ["a truncated answer", res(200, `<SIMPLE_RETURN>${echo}`)],
  ])("%s leaves the client with the secrets masked", async (_what, answer) => {
    const fake = scripted([answer]);
    const client = createQualysClient({
      apiUrl: "https://qualysapi.qualys.com",
      auth: { kind: "basic", username: "u", password },
      transport: fake.transport,
      clock: fakeClock().clock,
      retry: { maxRetries: 0 },
    });
    const error = (await client.vm.networks().catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    const everything = `${error.message}\n${error.stack}\n${JSON.stringify(error)}`;
    for (const secret of [password, encodeURIComponent(password), basic, basic.slice(0, 14)])
      expect(everything).not.toContain(secret);
  });

  it("a JSON parse error names the line and column, never the text", () => {
    const body = '{\n  "password": hunter2\n}';
    let message = "";
    try {
      parseJson(body, { method: "GET", url: "https://x/" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("line 2, column 15");
    expect(message).not.toContain("hunter2");
  });
});
