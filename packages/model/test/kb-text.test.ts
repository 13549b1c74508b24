import { describe, expect, it } from "vitest";
import { decodeEntities, kbHtmlToText, parseKbHtml } from "../src/index.js";

// The shape of real KnowledgeBase solutions: unclosed <P>, <BR>, an upper-case <A HREF … TARGET>, line breaks
// that markup ignores.
const CISCO_SOLUTION = `<P>Customers are advised to refer to <A HREF="https://tools.cisco.com/security/center/content/CiscoSecurityAdvisory/cisco-sa-x" TARGET="_blank">cisco-sa-x</A> for more information.
<P>Patch:<BR>
Following are links for downloading patches to fix the vulnerabilities:
<UL><LI>IOS XE &gt;= 17.3</LI><LI><B>Workaround</B>: disable the &quot;web UI&quot;</UL>`;

describe("kbHtmlToText", () => {
  it("turns paragraphs, line breaks, lists, links and entities into plain text", () => {
    expect(kbHtmlToText(CISCO_SOLUTION)).toBe(
      [
        "Customers are advised to refer to cisco-sa-x (https://tools.cisco.com/security/center/content/CiscoSecurityAdvisory/cisco-sa-x) for more information.",
        "",
        "Patch:",
        "Following are links for downloading patches to fix the vulnerabilities:",
        "",
        "- IOS XE >= 17.3",
        '- Workaround: disable the "web UI"',
      ].join("\n"),
    );
  });

  it("keeps the line breaks of plain text that has no markup", () => {
    expect(
      kbHtmlToText("Upgrade to 2.4.58.\nRestart the service.\n\nSee the vendor advisory &amp; notes."),
    ).toBe("Upgrade to 2.4.58.\nRestart the service.\n\nSee the vendor advisory & notes.");
    expect(kbHtmlToText(undefined)).toBe("");
    expect(kbHtmlToText("<P><BR></P>")).toBe("");
  });

  it("drops hostile markup: scripts with their content, event handlers, javascript: links", () => {
    const hostile = `<P onclick="steal()">Fix<script>alert(document.cookie)</script> it
<IMG SRC=x ONERROR=alert(1)><a href="javascript:alert(1)">click me</a> <A HREF=" JaVaScRiPt:alert(2)">again</A>
<style>body{display:none}</style><iframe src="https://evil.example/"></iframe><a href="data:text/html,x">data</a>
&lt;script&gt;shown as text&lt;/script&gt;`;
    const text = kbHtmlToText(hostile);
    expect(text).toBe("Fix it click me again data <script>shown as text</script>");
    expect(text).not.toContain("alert");
    expect(text).not.toContain("javascript");
    expect(text).not.toContain("display:none");
    // Only http(s) and mailto targets survive as links, as data for the writers to render.
    const links = parseKbHtml(hostile).flatMap((block) =>
      block.kind === "paragraph" ? block.content.filter((inline) => inline.kind === "link") : [],
    );
    expect(links).toEqual([]);
  });

  it("reads broken and nested markup as text, never as a tag that survives", () => {
    // Whatever survives is text: the writers escape it, so "<img …>" here is shown, never run.
    expect(kbHtmlToText("<scr<script>ipt>alert(1)</script>")).toBe("<scr");
    expect(kbHtmlToText("<<b>img src=x onerror=alert(1)>")).toBe("<img src=x onerror=alert(1)>");
    expect(kbHtmlToText("<!-- <script>alert(1)</script> -->after")).toBe("after");
    expect(kbHtmlToText("<b>unclosed <i>everything")).toBe("unclosed everything");
    expect(kbHtmlToText("a < b and c > d")).toBe("a < b and c > d");
    expect(kbHtmlToText("<SCRIPT>never closed")).toBe("");
  });
});

describe("decodeEntities", () => {
  it("decodes named and numeric references and leaves unknown ones alone", () => {
    expect(decodeEntities("&lt;&#60;&#x3C;&amp;&nbsp;&unknown;&#0;&#xD800;")).toBe(
      "<<<& &unknown;\uFFFD\uFFFD",
    );
  });
});
