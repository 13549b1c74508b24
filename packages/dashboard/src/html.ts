/**
 * HTML templates that escape by default: `html` is a tagged template whose interpolated values are escaped text
 * unless they are `Html` (the result of another `html`, or markup from the gate's renderers passed through `trusted`).
 */

import { escapeHtml } from "@qualys-connector/gate";

/** Markup that is safe to put into a page as is. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Value = Html | string | number | boolean | undefined | null | readonly Value[];

function render(value: Value): string {
  if (value === undefined || value === null || value === false) return "";
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

/** A template whose values are escaped (arrays are joined, undefined and false are nothing). */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i] as Value) + (strings[i + 1] ?? "");
  return new Html(out);
}

/**
 * Markup produced by code that escapes its own text (the gate's report renderers, `severityChartSvg`, `kbHtml`):
 * the one door for a string into a page unescaped.
 */
export function trusted(markup: string): Html {
  return new Html(markup);
}
