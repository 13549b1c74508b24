import { describe, expect, it } from "vitest";
import { createQualysClient, QualysConfigError, redactError, resolvePlatform } from "../src/index.js";

function configError(run: () => unknown): QualysConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof QualysConfigError) return error;
    throw error;
  }
  throw new Error("no QualysConfigError");
}

describe("configuration problems name the caller's options", () => {
  const auth = { kind: "basic", username: "u", password: "p" } as const;

  it("names pageSize, concurrency, maxRetries and timeoutMs as options, never as flags", () => {
    const error = configError(() =>
      createQualysClient({
        apiUrl: "http://127.0.0.1:9",
        auth,
        pageSize: 0,
        concurrency: 0,
        maxRetries: -1,
        timeoutMs: -1,
      }),
    );
    expect(error.problems).toEqual([
      "pageSize: 0 must be 1 to 1000",
      "concurrency: 0 must be a positive integer",
      "maxRetries: -1 must be 0 or more",
      "timeoutMs: must be 0 or more",
    ]);
    expect(error.options).toEqual(["pageSize", "concurrency", "maxRetries", "timeoutMs"]);
    expect(error.message).not.toMatch(/--/);
  });

  it("lets a caller name every option its own way, also the ones inside the text", () => {
    const error = configError(() => createQualysClient({ auth }));
    expect(error.message).toBe("apiUrl or platform is required");
    const flags: Record<string, string> = { apiUrl: "--api-url", platform: "--platform" };
    expect(error.messageWith((option) => flags[option] ?? option)).toBe(
      "--api-url or --platform is required",
    );

    const both = configError(() =>
      resolvePlatform({ apiUrl: "https://qualysapi.qualys.com", platform: "US1" }),
    );
    expect(both.options).toEqual(["apiUrl", "platform"]);
    expect(both.messageWith((option) => `<${option}>`)).toBe("give either <apiUrl> or <platform>, not both");
  });

  it("masks secrets in the parts as in the text", () => {
    const error = redactError(
      configError(() => resolvePlatform({ apiUrl: "ftp://u:hunter2@host.example" })),
      ["hunter2"],
    );
    expect(error.message).not.toContain("hunter2");
    expect(error.messageWith((option) => option)).not.toContain("hunter2");
    expect(error.messageWith((option) => option)).toBe(error.message);
  });
});
