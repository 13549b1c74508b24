/**
 * Where a JSON text goes wrong, without quoting it. V8's JSON.parse messages quote the text around the error
 * (`Unexpected token 'h', "{"password": hunter2}" is not valid JSON`), and the text may be a settings file with a
 * password or an answer that echoes our credentials; so messages about bad JSON name a line, a column and what
 * was expected, computed here by a small scanner that follows RFC 8259.
 */

export interface JsonSyntaxProblem {
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  /** What is wrong, in words that never contain the text itself. */
  problem: string;
}

/** Bounds the scanner's recursion (it runs only on texts JSON.parse refused). */
const MAX_DEPTH = 500;

class Fail extends Error {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {
    super(problem);
  }
}

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] ?? "")) i += 1;
  };
  const describeHere = () => (i >= text.length ? "the text ends too early" : "an unexpected character");
  const expect = (what: string): never => {
    throw new Fail(i, `expected ${what}, found ${describeHere()}`);
  };
  const string = () => {
    i += 1; // opening quote
    for (;;) {
      if (i >= text.length) throw new Fail(i, "a string is not closed");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i += 1;
        return;
      }
      if (c < 0x20) throw new Fail(i, "a control character (such as a line break) inside a string");
      if (c === 0x5c) {
        const next = text[i + 1];
        if (next === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)))
            throw new Fail(i, "a \\u escape needs four hex digits");
          i += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else throw new Fail(i, "an invalid escape in a string");
      } else i += 1;
    }
  };
  const number = () => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match) expect("a value");
    i += match?.[0].length ?? 0;
  };
  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) throw new Fail(i, `nesting deeper than ${MAX_DEPTH} levels`);
    ws();
    const c = text[i];
    if (c === "{") {
      i += 1;
      ws();
      if (text[i] === "}") {
        i += 1;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') expect("a property name in double quotes");
        string();
        ws();
        if (text[i] !== ":") expect("':' after a property name");
        i += 1;
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i += 1;
          continue;
        }
        if (text[i] === "}") {
          i += 1;
          return;
        }
        expect("',' or '}' after a property value");
      }
    }
    if (c === "[") {
      i += 1;
      ws();
      if (text[i] === "]") {
        i += 1;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i += 1;
          continue;
        }
        if (text[i] === "]") {
          i += 1;
          return;
        }
        expect("',' or ']' after a list element");
      }
    }
    if (c === '"') {
      string();
      return;
    }
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) number();
    else expect("a value");
  };
  try {
    value(0);
    ws();
    if (i < text.length) throw new Fail(i, "more text after the JSON value");
    return undefined;
  } catch (error) {
    if (!(error instanceof Fail)) throw error;
    return { ...position(text, error.offset), problem: error.problem };
  }
}

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let k = 0; k < offset && k < text.length; k += 1) {
    if (text[k] === "\n") {
      line += 1;
      start = k + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** "at line 3, column 14: expected ',' or '}' after a property value", for an invalid JSON text. */
export function describeJsonSyntaxError(text: string): string {
  const found = findJsonSyntaxError(text);
  return found
    ? `at line ${found.line}, column ${found.column}: ${found.problem}`
    : "it could not be read as JSON";
}
