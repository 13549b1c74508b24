import { describe, expect, it } from "vitest";
import { createQualysClient, QualysHttpError, redact } from "../src/index.js";
import { fakeClock, res, scripted } from "./fake-transport.js";

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
