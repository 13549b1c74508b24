import { readFileSync } from "node:fs";
import { QualysConfigError } from "@qualys-connector/client";
import { parseSeverityMap, type SeverityLabelMap } from "@qualys-connector/model";
import { UsageError } from "../exit-codes.js";

/**
 * The `--severity-map FILE` of `sync`, `import` and `pull-reports`: the one map format (docs/import.md, "Severity
 * map") read by the model's parser; a problem names the flag, the file and where in it.
 */
export function readSeverityMap(
  file: string | undefined,
  flag = "--severity-map",
): SeverityLabelMap | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag} ${file}: cannot read it (${code ?? (error as Error).message})`);
  }
  try {
    return parseSeverityMap(text, file);
  } catch (error) {
    if (error instanceof QualysConfigError)
      throw new UsageError(error.problems.map((problem) => `${flag}: ${problem}`).join("\n"));
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
}
