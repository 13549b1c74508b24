/**
 * The shape of the house (docs/architecture.md): dependencies between workspace packages point one way, each
 * package is used only through its one public entry, and every package a package's code imports is declared in its
 * package.json. Read from the sources, so an upward import fails here before anyone has to notice it in review.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SCOPE = "@qualys-connector/";

/**
 * Which workspace packages each package may import. The simulator stands apart on purpose: it shares no code with
 * the client, so a misreading of the wire format cannot hide in both.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  client: [],
  simulator: [],
  model: ["client"],
  gate: ["client", "model"],
  store: ["model"],
  reports: ["model"],
  sync: ["client", "model", "store", "reports"],
  dashboard: ["model", "store", "gate"],
  cli: ["client", "model", "gate", "store", "reports", "sync", "dashboard", "simulator"],
};

interface ImportSite {
  file: string;
  line: number;
  specifier: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|mts)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every module specifier in a file: static imports and exports (type-only too) and dynamic imports. */
function importsOf(text: string, file: string): ImportSite[] {
  const sites: ImportSite[] = [];
  const pattern =
    /(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;
  for (const match of text.matchAll(pattern)) {
    const specifier = match[1] ?? match[2];
    if (specifier === undefined) continue;
    const line = text.slice(0, (match.index ?? 0) + match[0].length).split("\n").length;
    sites.push({ file, line, specifier });
  }
  return sites;
}

/**
 * What the CI integrations (integrations/*: thin wrappers over the gate) may import: the gate and what it stands on.
 * Their tests may use the simulator; their sources may not.
 */
const INTEGRATIONS_ALLOWED: readonly string[] = ["client", "model", "gate"];

/** What is wrong with one import of package `from`, or undefined. */
function violation(
  from: string,
  site: ImportSite,
  packageDir: string,
  allowed: readonly string[] = ALLOWED[from] ?? [],
): string | undefined {
  const where = `${path.relative(root, site.file)}:${site.line} imports "${site.specifier}"`;
  if (site.specifier.startsWith(SCOPE)) {
    const [name, ...rest] = site.specifier.slice(SCOPE.length).split("/");
    if (rest.length > 0) return `${where}: reaches into ${SCOPE}${name}'s internals; use its public entry`;
    if (name === from) return `${where}: a package imports itself through its public name`;
    if (!allowed.includes(name ?? ""))
      return `${where}: ${from} may not depend on ${name} (allowed: ${allowed.join(", ") || "none"})`;
    return undefined;
  }
  if (site.specifier.startsWith(".")) {
    const target = path.resolve(path.dirname(site.file), site.specifier);
    if (!target.startsWith(`${packageDir}${path.sep}`))
      return `${where}: a relative import leaves ${path.relative(root, packageDir)}`;
  }
  return undefined;
}

const packages = readdirSync(path.join(root, "packages")).filter((dir) => {
  try {
    readFileSync(path.join(root, "packages", dir, "package.json"));
    return true;
  } catch {
    return false;
  }
});

const integrations = (() => {
  try {
    return readdirSync(path.join(root, "integrations")).filter((dir) => {
      try {
        readFileSync(path.join(root, "integrations", dir, "package.json"));
        return true;
      } catch {
        return false;
      }
    });
  } catch {
    return [];
  }
})();

describe("architecture", () => {
  for (const dir of integrations) {
    const integrationDir = path.join(root, "integrations", dir);
    it(`integrations/${dir}: its sources import only ${INTEGRATIONS_ALLOWED.join(", ")}, through their public entries`, () => {
      const sites = sourceFiles(path.join(integrationDir, "src")).flatMap((file) =>
        importsOf(readFileSync(file, "utf8"), file),
      );
      expect(sites.length).toBeGreaterThan(0);
      const problems = sites
        .map((site) => violation(`integrations/${dir}`, site, integrationDir, INTEGRATIONS_ALLOWED))
        .filter((p) => p !== undefined);
      expect(problems).toEqual([]);
    });
  }

  it("knows every workspace package", () => {
    expect([...packages].sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  for (const dir of packages) {
    const packageDir = path.join(root, "packages", dir);
    const sites = sourceFiles(path.join(packageDir, "src")).flatMap((file) =>
      importsOf(readFileSync(file, "utf8"), file),
    );

    it(`${dir}: imports only the packages below it, through their public entries`, () => {
      const problems = sites.map((site) => violation(dir, site, packageDir)).filter((p) => p !== undefined);
      expect(problems).toEqual([]);
    });

    it(`${dir}: declares in package.json every workspace package it imports`, () => {
      const manifest = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      const declared = new Set([
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.devDependencies ?? {}),
      ]);
      const used = new Set(
        sites
          .filter((s) => s.specifier.startsWith(SCOPE))
          .map((s) => s.specifier.split("/").slice(0, 2).join("/")),
      );
      expect([...used].filter((name) => !declared.has(name))).toEqual([]);
    });
  }

  it("the rules themselves catch an upward import, an internal path and a relative escape", () => {
    const gateDir = path.join(root, "packages/gate");
    const file = path.join(gateDir, "src/example.ts");
    const text = [
      'import { openStore } from "@qualys-connector/store";',
      'import { redact } from "@qualys-connector/client/src/redact.js";',
      'import { x } from "../../model/src/severity.js";',
      'import type { Finding } from "@qualys-connector/model";',
    ].join("\n");
    const problems = importsOf(text, file).map((site) => violation("gate", site, gateDir));
    expect(problems[0]).toMatch(/gate may not depend on store/);
    expect(problems[1]).toMatch(/reaches into @qualys-connector\/client's internals/);
    expect(problems[2]).toMatch(/relative import leaves packages\/gate/);
    expect(problems[3]).toBeUndefined();
  });
});
