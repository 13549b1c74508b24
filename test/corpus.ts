/**
 * Where the real Qualys files for conformance tests are: `QUALYS_CORPUS_DIR`, else `../shared/corpus` beside the
 * repository. They are read in place and never copied into the repository.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function corpusDir(): string | undefined {
  const dir = process.env.QUALYS_CORPUS_DIR ?? path.resolve(repoRoot, "../shared/corpus");
  if (existsSync(dir)) return dir;
  if (process.env.QUALYS_REQUIRE_CORPUS === "1") {
    throw new Error(`QUALYS_REQUIRE_CORPUS=1 but no corpus folder at ${dir}`);
  }
  return undefined;
}

/** True when the corpus is present; conformance suites use `describe.skipIf(!HAS_CORPUS)`. */
export const HAS_CORPUS = corpusDir() !== undefined;

/** Read a corpus file as text, e.g. `corpusFile("jupiterone/iterateWebApps_4264083977.har")`. */
export function corpusFile(relative: string): string {
  const dir = corpusDir();
  if (!dir) throw new Error("corpus not available");
  return readFileSync(path.join(dir, relative), "utf8");
}

export interface HarEntry {
  request: {
    method: string;
    url: string;
    headers: { name: string; value: string }[];
    postData?: { text?: string };
  };
  response: {
    status: number;
    headers: { name: string; value: string }[];
    content: { text?: string; mimeType?: string };
  };
}

/** The entries of a HAR recording. */
export function harEntries(relative: string): HarEntry[] {
  const har = JSON.parse(corpusFile(relative)) as { log: { entries: HarEntry[] } };
  return har.log.entries;
}
