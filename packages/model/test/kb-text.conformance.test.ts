/**
 * The KnowledgeBase HTML reader on a real KnowledgeBase answer (a recorded `knowledge_base/vuln` response): what
 * a report shows of its diagnosis and solution.
 */

import { describe, expect, it } from "vitest";
import { corpusFile, HAS_CORPUS, harEntries } from "../../../test/corpus.js";
import { kbHtmlToText } from "../src/index.js";

const RECORDING = "jupiterone/iterateVulnerabilities_939003581.har";

function field(xml: string, name: string): string {
  const match = new RegExp(`<${name}><!\\[CDATA\\[([\\s\\S]*?)\\]\\]></${name}>`).exec(xml);
  if (match?.[1] === undefined) throw new Error(`${RECORDING}: no ${name}`);
  return match[1];
}

describe.skipIf(!HAS_CORPUS)("kbHtmlToText on a recorded KnowledgeBase answer", () => {
  it("reads the diagnosis and solution of QID 316760 as text, without a tag or an entity left", () => {
    expect(corpusFile(RECORDING).length).toBeGreaterThan(0);
    const xml = harEntries(RECORDING)[0]?.response.content.text ?? "";
    const diagnosis = kbHtmlToText(field(xml, "DIAGNOSIS"));
    const solution = kbHtmlToText(field(xml, "SOLUTION"));

    expect(diagnosis).toContain(
      'QID Detection Logic (Authenticated):\nThe check matches Cisco IOS XE version retrieved via Unix Auth using "show version" command.\n',
    );
    expect(solution).toBe(
      [
        "Customers are advised to refer to cisco-sa-iosxe-cmdinj-2MzhjM6K (https://tools.cisco.com/security/center/content/CiscoSecurityAdvisory/cisco-sa-iosxe-cmdinj-2MzhjM6K) for more information.",
        "",
        "Patch:",
        "Following are links for downloading patches to fix the vulnerabilities:",
        "",
        "cisco-sa-iosxe-cmdinj-2MzhjM6K (https://tools.cisco.com/security/center/content/CiscoSecurityAdvisory/cisco-sa-iosxe-cmdinj-2MzhjM6K)",
      ].join("\n"),
    );
    for (const text of [diagnosis, solution]) {
      expect(text).not.toMatch(/<\/?(?:p|br|a|b|i|ul|li)\b/i);
      expect(text).not.toMatch(/&(?:quot|amp|lt|gt|#\d+);/);
    }
  });
});
