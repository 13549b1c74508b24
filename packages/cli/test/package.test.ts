/**
 * The published package is self-contained: the workspace packages are bundled into dist/cli.js, so every npm
 * package their code imports must be a dependency of `qualys-connector` itself, with the same version range, and
 * no workspace package may be one (it exists on no registry). `.ci/run` also installs the packed tarball into an
 * empty prefix and runs it; this test names the missing dependency long before that.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packagesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface PackageJson {
  name: string;
  private?: boolean;
  bin?: Record<string, string>;
  files?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(path.join(packagesDir, dir, "package.json"), "utf8")) as PackageJson;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** The npm package a bare specifier names: `pg`, `@scope/name`, `yaml/util` -> `yaml`. */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

/** Runtime imports (type-only imports vanish in the bundle) of every file under `src`. */
function runtimeImports(dir: string): Set<string> {
  const found = new Set<string>();
  const pattern = /^\s*(?:import|export)\s+(?!type\s)[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/gm;
  for (const file of sourceFiles(path.join(packagesDir, dir, "src"))) {
    for (const match of readFileSync(file, "utf8").matchAll(pattern)) {
      const specifier = match[1] ?? match[2] ?? "";
      if (specifier.startsWith(".") || specifier.startsWith("node:")) continue;
      found.add(packageOf(specifier));
    }
  }
  return found;
}

const workspaceDirs = readdirSync(packagesDir).filter((dir) => {
  try {
    readPackage(dir);
    return true;
  } catch {
    return false;
  }
});
const workspaceByName = new Map(workspaceDirs.map((dir) => [readPackage(dir).name, dir]));
const cli = readPackage("cli");

/** The workspace packages the CLI bundles: every one its code reaches, directly or through another. */
function bundledWorkspaces(): string[] {
  const seen = new Set<string>(["cli"]);
  const queue = ["cli"];
  for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
    for (const name of runtimeImports(dir)) {
      const next = workspaceByName.get(name);
      if (next !== undefined && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return [...seen].sort();
}

describe("the qualys-connector package", () => {
  it("is named for the command, publishable, and ships only its bin, bundle and README", () => {
    expect(cli.name).toBe("qualys-connector");
    expect(cli.private).toBeUndefined();
    expect(Object.keys(cli.bin ?? {})).toEqual(["qualys-connector"]);
    expect(cli.files).toEqual(["bin", "dist", "README.md"]);
  });

  it("depends on no workspace package: they are bundled, and no registry has them", () => {
    const workspaceDeps = Object.keys(cli.dependencies ?? {}).filter((name) => workspaceByName.has(name));
    expect(workspaceDeps).toEqual([]);
  });

  it("depends on exactly the npm packages the bundled code imports, with the ranges their packages declare", () => {
    const expected: Record<string, string> = {};
    for (const dir of bundledWorkspaces()) {
      const declared = { ...readPackage(dir).dependencies };
      for (const name of runtimeImports(dir)) {
        if (workspaceByName.has(name)) continue;
        const range = declared[name] ?? cli.dependencies?.[name];
        expect(range, `${name}, imported by packages/${dir}, is declared nowhere`).toBeDefined();
        if (range === undefined) continue;
        if (expected[name] !== undefined)
          expect(range, `${name}: packages declare different ranges`).toBe(expected[name]);
        expected[name] = range;
      }
    }
    expect(cli.dependencies).toEqual(
      Object.fromEntries(Object.entries(expected).sort(([a], [b]) => a.localeCompare(b))),
    );
  });
});

describe("install lines in the documentation", () => {
  const root = path.resolve(packagesDir, "..");
  const version = (
    JSON.parse(readFileSync(path.join(packagesDir, "cli/package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  const documents = [
    "README.md",
    "packages/cli/README.md",
    ...readdirSync(path.join(root, "docs"), { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".md"))
      .map((file) => path.join("docs", file)),
  ];

  it("pin the package's own version and never run an unpinned or workspace CLI", () => {
    let pinned = 0;
    for (const document of documents) {
      const text = readFileSync(path.join(root, document), "utf8");
      for (const match of text.matchAll(/qualys-connector(?:@|-)(\d+\.\d+\.\d+)/g)) {
        expect(match[1], `${document}: ${match[0]}`).toBe(version);
        pinned += 1;
      }
      expect(text, `${document} runs an unpinned npx qualys-connector`).not.toMatch(/npx qualys-connector\b/);
      expect(text, `${document} runs the CLI from a workspace path`).not.toMatch(
        /node\s+(\S*\/)?packages\/cli\/(dist|src)\//,
      );
    }
    expect(pinned).toBeGreaterThan(10);
  });
});
