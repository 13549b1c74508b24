/**
 * Comments cite what a reader can open: `docs/qualys-api.md <section>` or a public source, never a document
 * outside the repository (a bare `qualys-api.md`, working notes beside the checkout) or a tracker reference
 * (a seed, an issue number) that means nothing without it. Read from the files, so a stray citation fails
 * here, not in review.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const self = fileURLToPath(import.meta.url);

/**
 * Citations no file may hold. `../shared` is a path test helpers legitimately read from, so only sources ban
 * it.
 */
const EVERYWHERE: readonly { what: string; pattern: RegExp }[] = [
  { what: "qualys-api.md without docs/", pattern: /(?<!docs\/)qualys-api\.md/ },
  { what: "a seed", pattern: /\bseed \d{3}\b/i },
  { what: "an issue number", pattern: /\bissues? #?\d+\b/i },
  { what: "working notes", pattern: /\bpeers-[a-z-]+\.md\b/ },
];
const SOURCES_ONLY = [{ what: "../shared", pattern: /\.\.\/shared\b/ }];

function files(dir: string): string[] {
  if (!existsSync(path.join(root, dir))) return [];
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|mjs|js|sh|md)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !file.includes(`${path.sep}node_modules${path.sep}`) && file !== self);
}

/** `file:line: what` for every line of `text` that matches one of `rules`. */
function citations(file: string, text: string, rules: typeof EVERYWHERE): string[] {
  return text
    .split("\n")
    .flatMap((line, index) =>
      rules.filter((rule) => rule.pattern.test(line)).map((rule) => `${file}:${index + 1}: ${rule.what}`),
    );
}

const packageDirs = readdirSync(path.join(root, "packages"));
/** The CI integrations (integrations/*), held to the same rules as the packages. */
const integrationDirs = existsSync(path.join(root, "integrations"))
  ? readdirSync(path.join(root, "integrations")).map((dir) => path.join("integrations", dir))
  : [];

describe("source citations", () => {
  it("package sources cite only what is in the repository or public", () => {
    const found = [...packageDirs.map((dir) => path.join("packages", dir)), ...integrationDirs]
      .flatMap((dir) => [...files(path.join(dir, "src")), ...files(path.join(dir, "web"))])
      .map((file) => path.relative(root, file))
      .flatMap((file) =>
        citations(file, readFileSync(path.join(root, file), "utf8"), [...EVERYWHERE, ...SOURCES_ONLY]),
      );
    expect(found).toEqual([]);
  });

  it("tests, benchmarks and scripts cite only what is in the repository or public", () => {
    const found = [
      ...packageDirs.map((dir) => path.join("packages", dir, "test")),
      ...integrationDirs.flatMap((dir) => [path.join(dir, "test"), path.join(dir, "scripts")]),
      "test",
      "bench",
      "scripts",
    ]
      .flatMap((dir) => files(dir))
      .map((file) => path.relative(root, file))
      .flatMap((file) => citations(file, readFileSync(path.join(root, file), "utf8"), EVERYWHERE));
    expect(found).toEqual([]);
  });

  it("docs and READMEs cite no seed, issue number, working notes or ../shared", () => {
    const markdown = [
      ...files("docs"),
      path.join(root, "README.md"),
      ...packageDirs.map((dir) => path.join(root, "packages", dir, "README.md")),
      ...integrationDirs.map((dir) => path.join(root, dir, "README.md")),
    ].filter((file) => file.endsWith(".md") && existsSync(file));
    const rules = [
      ...EVERYWHERE.filter((rule) => rule.what !== "qualys-api.md without docs/"),
      ...SOURCES_ONLY,
    ];
    const found = markdown.flatMap((file) =>
      citations(path.relative(root, file), readFileSync(file, "utf8"), rules),
    );
    expect(markdown.length).toBeGreaterThan(5);
    expect(found).toEqual([]);
  });

  it("the rules catch each kind of citation and let the good ones through", () => {
    const text = [
      "// the envelope (qualys-api.md 3.4)",
      "// the default profile (seed 001)",
      "// at most 5% (issue 6)",
      "// JWAS batches by 500 (peers-ci-gates.md 1.1)",
      "// the envelope (docs/qualys-api.md 3.4), as jenkinsci/qualys-vm-plugin does",
    ].join("\n");
    expect(citations("x.ts", text, EVERYWHERE)).toEqual([
      "x.ts:1: qualys-api.md without docs/",
      "x.ts:2: a seed",
      "x.ts:3: an issue number",
      "x.ts:4: working notes",
    ]);
    expect(citations("x.ts", 'const dir = "../shared/corpus";', SOURCES_ONLY)).toEqual(["x.ts:1: ../shared"]);
  });
});
