/**
 * The QPS filter engine: `Criteria` with field, operator and value (docs/qualys-api.md 3.3). Each object
 * declares its filterable fields with a type; the operators allowed per type follow QSDK's FILTER_MAPPING:
 * INTEGER: EQUALS, NOT EQUALS, GREATER, LESSER, IN; TEXT: CONTAINS, EQUALS, NOT EQUALS;
 * DATE: EQUALS, NOT EQUALS, GREATER, LESSER; KEYWORD: EQUALS, NOT EQUALS, IN; BOOLEAN: EQUALS, NOT EQUALS.
 * `NONE` (field has no value, e.g. `webApp.tags`) is accepted on any field declared `allowNone`.
 * All criteria are ANDed.
 */
import type { Criterion } from "./service-request.js";

export type FieldType = "INTEGER" | "TEXT" | "DATE" | "KEYWORD" | "BOOLEAN";

type Scalar = string | number | boolean | null | undefined;

export interface FieldSpec<T> {
  type: FieldType;
  /** The record's value(s) for this field. An array matches when any element matches. */
  get: (record: T) => Scalar | readonly Scalar[];
  /** Allowed values of a KEYWORD field. */
  keywords?: readonly string[];
  /** Accept the NONE operator (no value). */
  allowNone?: boolean;
}

export type FieldSpecs<T> = Record<string, FieldSpec<T>>;

const OPERATORS_BY_TYPE: Record<FieldType, readonly string[]> = {
  INTEGER: ["EQUALS", "NOT EQUALS", "GREATER", "LESSER", "IN"],
  TEXT: ["CONTAINS", "EQUALS", "NOT EQUALS"],
  DATE: ["EQUALS", "NOT EQUALS", "GREATER", "LESSER"],
  KEYWORD: ["EQUALS", "NOT EQUALS", "IN"],
  BOOLEAN: ["EQUALS", "NOT EQUALS"],
};

/**
 * A filter the API refuses: answered as INVALID_REQUEST with HTTP 200 (real J1 recordings,
 * docs/qualys-api.md 3.6).
 */
export class CriteriaError extends Error {
  readonly resolution: string;
  constructor(message: string, resolution: string) {
    super(message);
    this.name = "CriteriaError";
    this.resolution = resolution;
  }
}

/** Compile criteria into a predicate. Throws CriteriaError for unknown fields, operators or bad values. */
export function compileCriteria<T>(
  criteria: readonly Criterion[],
  specs: FieldSpecs<T>,
): (record: T) => boolean {
  const tests = criteria.map((c) => compileOne(c, specs));
  return (record) => tests.every((t) => t(record));
}

function compileOne<T>(criterion: Criterion, specs: FieldSpecs<T>): (record: T) => boolean {
  const { field, operator } = criterion;
  const spec = specs[field];
  if (!spec) {
    throw new CriteriaError(
      `Criteria: Unknown field '${field}'.`,
      `Fields allowed: ${Object.keys(specs).join(", ")}.`,
    );
  }
  if (operator === "NONE") {
    if (!spec.allowNone) {
      throw new CriteriaError(
        `Criteria: Operator 'NONE' is not supported for criteria '${field}'.`,
        `Operators allowed: ${OPERATORS_BY_TYPE[spec.type].join(", ")}.`,
      );
    }
    return (record) => valuesOf(spec, record).length === 0;
  }
  if (!OPERATORS_BY_TYPE[spec.type].includes(operator)) {
    throw new CriteriaError(
      `Criteria: Operator '${operator}' is not supported for criteria '${field}'.`,
      `Operators allowed: ${OPERATORS_BY_TYPE[spec.type].join(", ")}.`,
    );
  }
  const rawValues =
    operator === "IN" ? criterion.value.split(",").map((v) => v.trim()) : [criterion.value.trim()];
  const matchers = rawValues.map((v) => valueMatcher(spec, field, operator, v));
  const anyMatch = (record: T) => {
    const values = valuesOf(spec, record);
    return matchers.some((m) => values.some((v) => m(v)));
  };
  if (operator === "NOT EQUALS") return (record) => !anyMatch(record);
  return anyMatch;
}

function valuesOf<T>(spec: FieldSpec<T>, record: T): Scalar[] {
  const got = spec.get(record);
  const list = Array.isArray(got) ? (got as Scalar[]) : [got as Scalar];
  return list.filter((v) => v !== null && v !== undefined && v !== "");
}

function valueMatcher<T>(
  spec: FieldSpec<T>,
  field: string,
  operator: string,
  raw: string,
): (value: Scalar) => boolean {
  const invalid = (resolution: string) =>
    new CriteriaError(
      `Criteria: Invalid value format for criteria '${field}' (${raw || "undefined"}).`,
      resolution,
    );
  switch (spec.type) {
    case "INTEGER": {
      if (!/^-?\d+$/.test(raw)) throw invalid("Specify criteria value(s) as Long.");
      const n = Number(raw);
      if (operator === "GREATER") return (v) => Number(v) > n;
      if (operator === "LESSER") return (v) => Number(v) < n;
      return (v) => Number(v) === n;
    }
    case "BOOLEAN": {
      if (raw !== "true" && raw !== "false") throw invalid("Values expected: true, false.");
      const b = raw === "true";
      return (v) => (typeof v === "boolean" ? v : String(v) === "true") === b;
    }
    case "KEYWORD": {
      if (spec.keywords && !spec.keywords.includes(raw))
        throw invalid(`Values expected: ${spec.keywords.join(", ")}.`);
      return (v) => String(v) === raw;
    }
    case "TEXT": {
      const needle = raw.toLowerCase();
      if (operator === "CONTAINS") return (v) => String(v).toLowerCase().includes(needle);
      return (v) => String(v).toLowerCase() === needle;
    }
    case "DATE": {
      const parsed = parseFilterDate(raw);
      if (parsed === null) throw invalid("Specify the date in UTC format: YYYY-MM-DDTHH:MM:SSZ.");
      if (operator === "GREATER") return (v) => Date.parse(String(v)) > parsed.start;
      if (operator === "LESSER") return (v) => Date.parse(String(v)) < parsed.start;
      return (v) => {
        const t = Date.parse(String(v));
        return t >= parsed.start && t < parsed.end;
      };
    }
  }
}

/**
 * Dates in filters are UTC (`YYYY-MM-DDTHH:MM:SSZ`, optionally with milliseconds). A bare `YYYY-MM-DD` means
 * that whole day for EQUALS and its midnight for GREATER/LESSER (the `updatedDate` example in Brinqa's Qualys
 * WAS connector docs).
 */
export function parseFilterDate(raw: string): { start: number; end: number } | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
    const start = Date.parse(`${raw}T00:00:00Z`);
    return Number.isNaN(start) ? null : { start, end: start + 86_400_000 };
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(raw)) return null;
  const start = Date.parse(raw);
  return Number.isNaN(start) ? null : { start, end: start + 1000 };
}
