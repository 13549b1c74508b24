/**
 * A small incremental JSON reader (RFC 8259) that builds values but hands chosen containers' members to a
 * callback one by one instead of keeping them, so a document of any length whose members are small is read in
 * constant memory. Text may arrive in pieces split anywhere.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Receives the members of a streamed container: the key (objects) or index (arrays) and the value. */
export type MemberSink = (key: string | number, value: JsonValue) => void;

interface Frame {
  array: boolean;
  container: JsonValue[] | { [key: string]: JsonValue } | undefined;
  sink: MemberSink | undefined;
  key: string;
  index: number;
}

export class JsonSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const Mode = {
  Value: 0,
  ValueOrEnd: 1,
  Key: 2,
  KeyOrEnd: 3,
  Colon: 4,
  AfterValue: 5,
  String: 6,
  Escape: 7,
  Unicode: 8,
  Literal: 9,
  Done: 10,
} as const;
type Mode = (typeof Mode)[keyof typeof Mode];

const LITERAL_CHAR = /[0-9A-Za-z+\-.]/;
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

export interface JsonStreamOptions {
  /** Decides, when a container opens, whether its members go to a sink instead of being kept. */
  streamAt: (path: readonly (string | number)[]) => MemberSink | undefined;
  /** The deepest nesting accepted. */
  maxDepth: number;
  /** The longest string or number accepted, in characters. */
  maxString: number;
}

export class JsonStream {
  line = 1;
  column = 0;
  root: JsonValue | undefined;
  private mode: Mode = Mode.Value;
  private readonly stack: Frame[] = [];
  private readonly path: (string | number)[] = [];
  private text = "";
  private stringIsKey = false;
  private hex = "";

  constructor(private readonly options: JsonStreamOptions) {}

  private fail(reason: string): never {
    throw new JsonSyntaxError(this.line, Math.max(this.column, 1), reason);
  }

  write(chunk: string): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.mode === Mode.String) {
        // Fast path: copy up to the next quote or backslash.
        let j = i;
        while (j < n) {
          const c = chunk.charCodeAt(j);
          if (c === 0x22 || c === 0x5c) break;
          if (c < 0x20) {
            this.column += j - i;
            this.fail("a control character inside a string");
          }
          j += 1;
        }
        this.append(chunk.slice(i, j));
        this.column += j - i;
        if (j === n) return;
        this.column += 1;
        if (chunk.charCodeAt(j) === 0x22) this.endString();
        else this.mode = Mode.Escape;
        i = j + 1;
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (c === 0x0a) {
        this.line += 1;
        this.column = 0;
      } else this.column += 1;
      if (this.step(c, chunk[i] ?? "")) i += 1;
    }
  }

  /** Handles one character; false when it must be looked at again in the new mode. */
  private step(c: number, ch: string): boolean {
    switch (this.mode) {
      case Mode.Value:
      case Mode.ValueOrEnd:
        if (WHITESPACE.has(c)) return true;
        if (c === 0x5d && this.mode === Mode.ValueOrEnd) {
          this.close(true);
          return true;
        }
        if (c === 0x7b) this.open(false);
        else if (c === 0x5b) this.open(true);
        else if (c === 0x22) {
          this.text = "";
          this.stringIsKey = false;
          this.mode = Mode.String;
        } else if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e) {
          this.text = ch;
          this.mode = Mode.Literal;
        } else this.fail(`unexpected ${JSON.stringify(ch)} where a value was expected`);
        return true;
      case Mode.Key:
      case Mode.KeyOrEnd:
        if (WHITESPACE.has(c)) return true;
        if (c === 0x7d && this.mode === Mode.KeyOrEnd) this.close(false);
        else if (c === 0x22) {
          this.text = "";
          this.stringIsKey = true;
          this.mode = Mode.String;
        } else this.fail(`unexpected ${JSON.stringify(ch)} where a key was expected`);
        return true;
      case Mode.Colon:
        if (WHITESPACE.has(c)) return true;
        if (c !== 0x3a) this.fail(`unexpected ${JSON.stringify(ch)} where ':' was expected`);
        this.mode = Mode.Value;
        return true;
      case Mode.AfterValue: {
        if (WHITESPACE.has(c)) return true;
        const top = this.stack[this.stack.length - 1];
        if (top === undefined) this.fail(`unexpected ${JSON.stringify(ch)} after the document`);
        if (c === 0x2c) this.mode = top.array ? Mode.Value : Mode.Key;
        else if (c === 0x5d && top.array) this.close(true);
        else if (c === 0x7d && !top.array) this.close(false);
        else this.fail(`unexpected ${JSON.stringify(ch)} after a value`);
        return true;
      }
      case Mode.Escape: {
        const escapes: Record<string, string> = {
          '"': '"',
          "\\": "\\",
          "/": "/",
          b: "\b",
          f: "\f",
          n: "\n",
          r: "\r",
          t: "\t",
        };
        if (ch === "u") {
          this.hex = "";
          this.mode = Mode.Unicode;
          return true;
        }
        const decoded = escapes[ch];
        if (decoded === undefined) this.fail(`a bad escape \\${ch}`);
        this.append(decoded);
        this.mode = Mode.String;
        return true;
      }
      case Mode.Unicode:
        if (!/[0-9A-Fa-f]/.test(ch)) this.fail("a bad \\u escape");
        this.hex += ch;
        if (this.hex.length === 4) {
          this.append(String.fromCharCode(Number.parseInt(this.hex, 16)));
          this.mode = Mode.String;
        }
        return true;
      case Mode.Literal:
        if (LITERAL_CHAR.test(ch)) {
          this.text += ch;
          if (this.text.length > this.options.maxString) this.fail("a number longer than any real one");
          return true;
        }
        this.endLiteral();
        return false;
      case Mode.Done:
        if (WHITESPACE.has(c)) return true;
        return this.fail(`unexpected ${JSON.stringify(ch)} after the document`);
      default:
        return this.fail("unexpected state");
    }
  }

  private append(text: string): void {
    this.text += text;
    if (this.text.length > this.options.maxString)
      this.fail(`a string longer than ${this.options.maxString} characters`);
  }

  private endString(): void {
    const text = this.text;
    this.text = "";
    if (this.stringIsKey) {
      const top = this.stack[this.stack.length - 1];
      if (top) top.key = text;
      this.mode = Mode.Colon;
    } else this.value(text);
  }

  private endLiteral(): void {
    const text = this.text;
    this.text = "";
    let value: JsonValue;
    if (text === "true") value = true;
    else if (text === "false") value = false;
    else if (text === "null") value = null;
    else if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) value = Number(text);
    else this.fail(`${JSON.stringify(text.slice(0, 40))} is not a JSON value`);
    this.value(value);
  }

  private open(array: boolean): void {
    if (this.stack.length >= this.options.maxDepth) this.fail(`nesting deeper than ${this.options.maxDepth}`);
    const parent = this.stack[this.stack.length - 1];
    if (parent) this.path.push(parent.array ? parent.index : parent.key);
    const sink = this.options.streamAt(this.path);
    this.stack.push({ array, container: sink ? undefined : array ? [] : {}, sink, key: "", index: 0 });
    this.mode = array ? Mode.ValueOrEnd : Mode.KeyOrEnd;
  }

  private close(array: boolean): void {
    const frame = this.stack.pop();
    if (frame === undefined || frame.array !== array) this.fail("mismatched bracket");
    if (this.stack.length > 0) this.path.pop();
    this.value(frame.container ?? (array ? [] : {}));
  }

  private value(value: JsonValue): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      this.root = value;
      this.mode = Mode.Done;
      return;
    }
    if (top.sink) top.sink(top.array ? top.index : top.key, value);
    else if (Array.isArray(top.container)) top.container.push(value);
    else if (top.container) top.container[top.key] = value;
    top.index += 1;
    this.mode = Mode.AfterValue;
  }

  /** Call after the last piece: a document that stops early is an error. */
  end(): void {
    if (this.mode === Mode.Literal && this.stack.length === 0) this.endLiteral();
    if (this.mode !== Mode.Done) this.fail("the JSON document ends early (truncated?)");
  }
}
