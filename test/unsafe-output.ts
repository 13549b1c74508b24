/**
 * What must never appear in what the CLI prints, whatever the data: raw control characters (other than the tab
 * and line feed of its own layout), C1 and bidirectional controls, and a line that a CI system would run as a
 * workflow command (`::name::`, `##vso[`).
 */
export function unsafeOutput(text: string): string[] {
  const problems: string[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (
      (code < 0x20 && code !== 0x09 && code !== 0x0a) ||
      (code >= 0x7f && code <= 0x9f) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069)
    )
      problems.push(`raw U+${code.toString(16).padStart(4, "0")}`);
  }
  for (const line of text.split("\n")) {
    if (line.trimStart().startsWith("::")) problems.push(`workflow command line: ${JSON.stringify(line)}`);
    if (line.includes("##vso[")) problems.push(`workflow command: ${JSON.stringify(line)}`);
  }
  return problems;
}
