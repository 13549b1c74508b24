/**
 * Structural comparison of two XML documents: which element paths exist and in which order children appear.
 * Values are ignored (a simulator's data differs from a recording's); names, nesting and order are not.
 */
import { XMLParser } from "fast-xml-parser";

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, commentPropName: "#comment" });

type Ordered = Record<string, unknown>[];

export interface XmlShape {
  root: string;
  /** Element paths (`A/B/C`) in order of first appearance. */
  paths: string[];
  /** For each parent path, its distinct child element names in order of first appearance. */
  children: Map<string, string[]>;
  doctype: string | null;
}

export function xmlShape(text: string): XmlShape {
  const doctype = /<!DOCTYPE\s+(\S+)\s+SYSTEM/.exec(text)?.[1] ?? null;
  const doc = parser.parse(text) as Ordered;
  const paths: string[] = [];
  const children = new Map<string, string[]>();
  let root = "";
  const walk = (nodes: Ordered, parent: string) => {
    for (const node of nodes) {
      const name = Object.keys(node).find(
        (k) => k !== ":@" && k !== "#text" && k !== "#comment" && k !== "?xml",
      );
      if (!name) continue;
      const path = parent ? `${parent}/${name}` : name;
      if (!parent) root = name;
      if (!paths.includes(path)) paths.push(path);
      const siblings = children.get(parent) ?? [];
      if (!siblings.includes(name)) siblings.push(name);
      children.set(parent, siblings);
      walk(node[name] as Ordered, path);
    }
  };
  walk(doc, "");
  return { root, paths, children, doctype };
}

/**
 * Differences of `ours` from `real`: element paths the recording has and we lack (unless `optional`), and parents
 * whose shared children appear in another order.
 */
export function shapeDifferences(real: XmlShape, ours: XmlShape, optional: readonly string[] = []): string[] {
  const problems: string[] = [];
  if (real.root !== ours.root) problems.push(`root ${ours.root} instead of ${real.root}`);
  if (real.doctype !== ours.doctype)
    problems.push(`DOCTYPE ${String(ours.doctype)} instead of ${String(real.doctype)}`);
  for (const path of real.paths) {
    if (!ours.paths.includes(path) && !optional.some((o) => path === o || path.startsWith(`${o}/`))) {
      problems.push(`missing element ${path}`);
    }
  }
  for (const [parent, realNames] of real.children) {
    const ourNames = ours.children.get(parent);
    if (!ourNames) continue;
    const sharedReal = realNames.filter((n) => ourNames.includes(n));
    const sharedOurs = ourNames.filter((n) => realNames.includes(n));
    if (sharedReal.join(",") !== sharedOurs.join(",")) {
      problems.push(
        `order under ${parent || "(root)"}: ours ${sharedOurs.join(",")} vs real ${sharedReal.join(",")}`,
      );
    }
  }
  return problems;
}

/** Element paths we add that the recording does not have. */
export function extraPaths(real: XmlShape, ours: XmlShape): string[] {
  return ours.paths.filter((p) => !real.paths.includes(p));
}
