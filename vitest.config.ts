import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "vitest/config";

// Tests talk only to 127.0.0.1 (test/setup-no-network.ts fails any other connection).
//
// The timeouts are bounds for a hung test, not estimates: the suite must pass on a busy machine (load 8 on 2
// cores makes a test 4-5 times slower than on an idle one), so no test's own work may come near them. A test that
// takes more than a few seconds on an idle machine states its own, larger bound.
const shared = {
  testTimeout: 120_000,
  hookTimeout: 120_000,
  pool: "forks" as const,
  setupFiles: ["test/setup-no-network.ts"],
};

/**
 * Test files that run the CLI in a child process: every one does so through the one spawner
 * (test/cli-process.ts, or the helpers built on it), so an import of one of those names them. They are end-to-end
 * tests, with the CLI bundle that test/global-setup.ts builds once per run. So are the Azure DevOps task tests,
 * which run the bundled tasks in child processes through integrations/azure-devops/test/task-process.ts, and the
 * GitHub Action tests, which run its committed bundle through integrations/github-action/test/action-process.ts.
 */
const SPAWNERS =
  /from "[./]*(?:test\/|\.\.\/\.\.\/\.\.\/test\/)?(?:cli-process|gate-e2e|spawn-cli|task-process|action-process)\.js"/;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".test.ts"))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !file.includes(`${path.sep}node_modules${path.sep}`));
}

/** The test files of the workspace packages (packages/*) and of the CI integrations (integrations/*). */
const packageTests = ["packages", "integrations"].flatMap((folder) =>
  readdirSync(folder).flatMap((name) => {
    try {
      return testFiles(path.join(folder, name, "test"));
    } catch {
      return [];
    }
  }),
);
const spawning = packageTests.filter((file) => SPAWNERS.test(readFileSync(file, "utf8")));

/** Checks of the repository's own files (imports, citations): fast, so part of the unit loop. */
const repositoryChecks = ["test/architecture.test.ts", "test/source-citations.test.ts"];

export default defineConfig({
  test: {
    // Most tests wait (on the simulator's clock, child processes, the database), so two files at once use the
    // machine better than vitest's default of one worker on a 2-core machine; the timeouts are sized for a
    // loaded machine (two whole suites side by side passed at load 8 to 11).
    maxWorkers: 2,
    projects: [
      {
        // The fast inner loop (`npm run test:unit`): in-process tests of each package, no CLI child process.
        test: {
          ...shared,
          name: "unit",
          include: ["packages/*/test/**/*.test.ts", "integrations/*/test/**/*.test.ts", ...repositoryChecks],
          exclude: [
            "**/*.conformance.test.ts",
            "**/*.browser.test.ts",
            "**/*.groovy.test.ts",
            "**/node_modules/**",
            ...spawning,
          ],
        },
      },
      {
        // End to end: the real CLI in child processes and cross-package runs against the simulator.
        test: {
          ...shared,
          name: "e2e",
          globalSetup: ["test/global-setup.ts"],
          include: ["test/**/*.test.ts", ...spawning],
          exclude: [
            "**/*.conformance.test.ts",
            "**/*.browser.test.ts",
            "**/*.groovy.test.ts",
            "**/node_modules/**",
            ...repositoryChecks,
          ],
        },
      },
      {
        // Real Qualys files and recorded traffic from the corpus folder QUALYS_CORPUS_DIR names (by default
        // ../shared/corpus beside the checkout); skipped when the folder is absent
        // (see test/corpus.ts), required when QUALYS_REQUIRE_CORPUS=1 (CI).
        test: {
          ...shared,
          name: "conformance",
          include: ["packages/*/test/**/*.conformance.test.ts", "test/**/*.conformance.test.ts"],
        },
      },
      {
        // Pages in Chromium (Debian's package, driven by playwright-core): `npm run test:browser`, not part of
        // `npm test`. Skipped where /usr/bin/chromium is missing, failed when CI=true (.ci/run installs it).
        test: {
          ...shared,
          name: "browser",
          include: ["**/*.browser.test.ts"],
          exclude: ["**/node_modules/**"],
        },
      },
      {
        // The Jenkins shared library under Groovy 2.4 (Debian's groovy package), running the CLI bundle built for
        // the run: `npm run test:groovy`, not part of `npm test`. Skipped where groovy is missing, failed when
        // CI=true (.ci/run installs it).
        test: {
          ...shared,
          name: "groovy",
          globalSetup: ["test/global-setup.ts"],
          include: ["**/*.groovy.test.ts"],
          exclude: ["**/node_modules/**"],
        },
      },
    ],
  },
});
