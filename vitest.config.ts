import { defineConfig } from "vitest/config";

// Tests talk only to 127.0.0.1 (test/setup-no-network.ts fails any other connection). Tests that run the CLI in a
// child process run the bundle test/global-setup.ts builds once per run (test/cli-process.ts).
//
// The timeouts are bounds for a hung test, not estimates: the suite must pass on a busy machine (load 8 on 2
// cores makes a test 4-5 times slower than on an idle one), so no test's own work may come near them. A test that
// takes more than a few seconds on an idle machine states its own, larger bound.
const shared = {
  testTimeout: 120_000,
  hookTimeout: 120_000,
  pool: "forks" as const,
  globalSetup: ["test/global-setup.ts"],
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
