import { describe, expect, it } from "vitest";
import { escapeControlChars, logSafe, logSafeJson, logSafeLines } from "../src/index.js";

/** A web app name as an attacker would choose it: screen clear, OSC 8 link, new lines that start CI commands. */
const HOSTILE_NAME =
  "shop\u001b[2J\u001b]8;;https://evil.example/\u0007click\u001b]8;;\u0007\n::warning::pwned\r\n##vso[task.setvariable variable=x]y\u202etxt.exe";

describe("logSafe", () => {
  it("shows every control character escaped, so the text cannot move the cursor or start a line", () => {
    expect(logSafe("a\u0000b\u0007c\u0008d\te\nf\rg\u001bh\u007fi\u0085j\u009bk")).toBe(
      "a\\x00b\\x07c\\x08d\\x09e\\x0af\\x0dg\\x1bh\\x7fi\\x85j\\x9bk",
    );
  });

  it("shows bidirectional controls and lone surrogates escaped, and keeps valid pairs and ordinary text", () => {
    expect(
      logSafe(
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c|\ud800|\udfff|\u{1f600}|é",
      ),
    ).toBe(
      "\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c|\\ud800|\\udfff|\u{1f600}|é",
    );
  });

  it("neutralizes Azure DevOps logging commands anywhere and GitHub workflow commands at the line start", () => {
    expect(logSafe("name ##vso[task.setvariable variable=x]y and ##VSO[task.complete]")).toBe(
      "name \\x23#vso[task.setvariable variable=x]y and \\x23#VSO[task.complete]",
    );
    expect(logSafe("##[error]fake")).toBe("\\x23#[error]fake");
    expect(logSafe("::warning::x")).toBe("\\x3a:warning::x");
    expect(logSafe("  ::add-mask::x")).toBe("  \\x3a:add-mask::x");
    // Not at the start of a line, `::` is ordinary text (IPv6 addresses, C++ names).
    expect(logSafe("web app fe80::1 std::string")).toBe("web app fe80::1 std::string");
  });

  it("turns a hostile web app name into one inert line", () => {
    expect(logSafe(`web app 7 "${HOSTILE_NAME}"`)).toBe(
      'web app 7 "shop\\x1b[2J\\x1b]8;;https://evil.example/\\x07click\\x1b]8;;\\x07\\x0a::warning::pwned\\x0d\\x0a\\x23#vso[task.setvariable variable=x]y\\u202etxt.exe"',
    );
  });

  it("logSafeLines keeps our own line breaks and makes each line safe", () => {
    expect(logSafeLines("invalid policy:\n  ::error::x\n  ##vso[a]\u001b")).toBe(
      "invalid policy:\n  \\x3a:error::x\n  \\x23#vso[a]\\x1b",
    );
  });

  it("escapeControlChars can keep characters a data format quotes itself", () => {
    expect(escapeControlChars("a\r\nb\u001b\u202e", "\r\n")).toBe("a\r\nb\\x1b\\u202e");
  });
});

describe("logSafeJson", () => {
  it("escapes what JSON.stringify leaves raw, and every parser reads back the same data", () => {
    const value = { name: HOSTILE_NAME, other: "\u0085\u007f\ud800", list: ["##[error]"] };
    const json = logSafeJson(JSON.stringify(value, null, 2));
    expect(JSON.parse(json)).toEqual(value);
    expect(json).not.toMatch(/[\u007f-\u009f\u202e]|##vso\[|##\[/i);
    expect(json).toContain("\\u0023#vso[task.setvariable");
    expect(json).toContain("y\\u202etxt.exe");
    expect(json).toContain('"\\u0085\\u007f\\ud800"');
    // Indentation is untouched.
    expect(json.split("\n")[1]).toMatch(/^ {2}"name": "/);
  });
});
