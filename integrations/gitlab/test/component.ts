/**
 * A GitLab CI/CD component of templates/ as GitLab reads it: the `spec:` header document, then the job document
 * with `$[[ inputs.name ]]` interpolated. GitLab interpolates the parsed YAML, string by string (keys too); a
 * string that is one interpolation and nothing else takes the input's value with its type (an array stays an
 * array), any other string gets the value as text.
 */

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const TEMPLATES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "templates");

export type InputValue = string | number | boolean | unknown[];

export interface InputSpec {
  description?: string;
  default?: InputValue;
  type?: "string" | "number" | "boolean" | "array";
  options?: InputValue[];
  regex?: string;
}

export interface Component {
  inputs: Record<string, InputSpec>;
  /** The job document before interpolation. */
  raw: Record<string, unknown>;
  /** Every input name the job document uses. */
  used: Set<string>;
}

const INTERPOLATION = /\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]/g;

export function readComponent(file: string): Component {
  const docs = parseAllDocuments(readFileSync(path.join(TEMPLATES_DIR, file), "utf8"));
  for (const doc of docs) if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
  const [header, body] = docs.map((doc) => doc.toJS() as Record<string, unknown>);
  if (docs.length !== 2 || header === undefined || body === undefined)
    throw new Error(`${file}: expected a spec header, ---, and the job`);
  const spec = header.spec as { inputs?: Record<string, InputSpec> } | undefined;
  const used = new Set<string>();
  walk(body, (text) => {
    for (const match of text.matchAll(INTERPOLATION)) used.add(match[1] ?? "");
    return text;
  });
  return { inputs: spec?.inputs ?? {}, raw: body, used };
}

function walk(value: unknown, onString: (text: string) => unknown): unknown {
  if (typeof value === "string") return onString(value);
  if (Array.isArray(value)) return value.map((item) => walk(item, onString));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [String(onString(key)), walk(item, onString)]),
    );
  return value;
}

/**
 * The job document with the inputs interpolated: `given` over the defaults. Throws, as GitLab does, on an unknown
 * input, a missing required one, a value outside `options` or not matching `regex`.
 */
export function renderComponent(
  component: Component,
  given: Record<string, InputValue> = {},
): Record<string, unknown> {
  const values: Record<string, InputValue> = {};
  for (const name of Object.keys(given))
    if (!(name in component.inputs)) throw new Error(`unknown input ${name}`);
  for (const [name, spec] of Object.entries(component.inputs)) {
    const value = name in given ? given[name] : spec.default;
    if (value === undefined) throw new Error(`input ${name} is required`);
    if (spec.options && !spec.options.includes(value))
      throw new Error(`input ${name}: not one of the options`);
    if (spec.regex !== undefined && !new RegExp(spec.regex).test(String(value)))
      throw new Error(`input ${name}: ${JSON.stringify(value)} does not match ${spec.regex}`);
    values[name] = value;
  }
  return walk(component.raw, (text) => {
    const whole = /^\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]$/.exec(text);
    if (whole) return values[whole[1] ?? ""];
    return text.replace(INTERPOLATION, (_, name: string) => {
      const value = values[name];
      return Array.isArray(value) ? JSON.stringify(value) : String(value);
    });
  }) as Record<string, unknown>;
}
