import { defineConfig } from "vitest/config";

// Tests talk only to 127.0.0.1 (test/setup-no-network.ts fails any other connection).
const shared = {
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: "forks" as const,
  setupFiles: ["test/setup-no-network.ts"],
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: "unit",
          include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
          exclude: ["**/*.conformance.test.ts", "**/node_modules/**"],
        },
      },
      {
        // Real Qualys files and recorded traffic from ../shared/corpus; skipped when the folder is absent
        // (see test/corpus.ts), required when QUALYS_REQUIRE_CORPUS=1 (CI).
        test: {
          ...shared,
          name: "conformance",
          include: ["packages/*/test/**/*.conformance.test.ts", "test/**/*.conformance.test.ts"],
        },
      },
    ],
  },
});
