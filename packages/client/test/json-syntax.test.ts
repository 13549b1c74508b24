import { describe, expect, it } from "vitest";
import { findJsonSyntaxError } from "../src/index.js";

describe("findJsonSyntaxError", () => {
  it.each(['{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"], "b": {}}', "[]", ' "text" ', "0"])(
    "accepts valid JSON: %s",
    (text) => {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(findJsonSyntaxError(text)).toBeUndefined();
    },
  );

  it.each([
    ['{"a": secret}', 1, 7, "expected a value, found an unexpected character"],
    ['{\n  "a": 1,\n}', 3, 1, "expected a property name in double quotes"],
    ['{"a": 1', 1, 8, "expected ',' or '}' after a property value, found the text ends too early"],
    ['["a" "b"]', 1, 6, "expected ',' or ']' after a list element"],
    ['{"a": "x\ny"}', 1, 9, "a control character (such as a line break) inside a string"],
    ['{"a": "unterminated', 1, 20, "a string is not closed"],
    ["{} x", 1, 4, "more text after the JSON value"],
    ['{"a": "\\q"}', 1, 8, "an invalid escape in a string"],
  ])("%j: line %i, column %i", (text, line, column, problem) => {
    expect(() => JSON.parse(text)).toThrow();
    const found = findJsonSyntaxError(text);
    expect(found).toMatchObject({ line, column });
    expect(found?.problem).toContain(problem);
    expect(found?.problem).not.toContain("secret");
  });
});
