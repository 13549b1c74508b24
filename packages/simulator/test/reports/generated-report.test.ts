/**
 * Generated report documents have the layout of the rendered WAS_WEBAPP_REPORT (docs/qualys-api.md 6.2): the
 * same element paths and the same record child order, whatever their size; the chunks stay small.
 */
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import type { SimReport, SimWebApp } from "../../src/model.js";
import { resolveOptions } from "../../src/options.js";
import { generatedReportChunks } from "../../src/reports/generated-report.js";
import { renderWebAppReportXml } from "../../src/reports/webapp-report-xml.js";
import { createUsers } from "../../src/users.js";
import { buildWorld, OWNER } from "./fixture.js";

const AT = Date.parse("2026-03-13T08:00:00Z");
const VULN = "WAS_WEBAPP_REPORT/RESULTS/WEB_APPLICATION/VULNERABILITY_LIST/VULNERABILITY";

const ordered = new XMLParser({ preserveOrder: true, ignoreAttributes: false, parseTagValue: false });

/** Element paths, and each path's child names in the order of their first instance. */
function shape(xml: string): { paths: Set<string>; children: Map<string, string[]> } {
  const paths = new Set<string>();
  const children = new Map<string, string[]>();
  const walk = (nodes: Record<string, unknown>[], parent: string) => {
    const names: string[] = [];
    for (const node of nodes) {
      const name = Object.keys(node).find(
        (k) => !k.startsWith(":@") && !k.startsWith("#") && !k.startsWith("?"),
      );
      if (!name) continue;
      const path = parent ? `${parent}/${name}` : name;
      paths.add(path);
      if (!names.includes(name)) names.push(name);
      walk(node[name] as Record<string, unknown>[], path);
    }
    if (parent && !children.has(parent) && names.length > 0) children.set(parent, names);
  };
  walk(ordered.parse(xml) as Record<string, unknown>[], "");
  return { paths, children };
}

function generated(findings: number, responseBytes: number, hostile = false): Buffer[] {
  const world = buildWorld(createUsers(resolveOptions()));
  const report: SimReport = {
    id: 3_000_900,
    name: "Generated",
    description: null,
    type: "WAS_WEBAPP_REPORT",
    format: "XML",
    status: "COMPLETE",
    createdDate: "2026-03-13T08:00:00Z",
    updatedDate: "2026-03-13T08:00:00Z",
    owner: OWNER,
    readyAt: 0,
    targetIds: [1_000_001],
    content: null,
    contentType: "application/xml",
    fileName: "generated.xml",
    generated: { findings, responseBytes, hostile },
  };
  return [...generatedReportChunks(world, report, AT)];
}

function rendered(): string {
  const world = buildWorld(createUsers(resolveOptions()));
  const webApps = [world.webApps.get(1_000_001)].filter((w): w is SimWebApp => w !== undefined);
  return renderWebAppReportXml(world, {
    name: "Rendered",
    description: null,
    generatedAt: AT,
    user: OWNER,
    webApps,
  });
}

describe("generated reports", () => {
  it("use only element paths of the rendered web app report, records in the same child order", () => {
    for (const hostile of [false, true]) {
      const ours = shape(Buffer.concat(generated(4, 1000, hostile)).toString("utf8"));
      const reference = shape(rendered());
      expect([...ours.paths].filter((p) => !reference.paths.has(p))).toEqual([]);
      // Optional elements (FORM_ENTRY_POINT, ACCESS_PATH) may be absent; the rest keeps the reference order.
      const mine = ours.children.get(VULN) ?? [];
      expect(mine.length).toBeGreaterThan(8);
      expect((reference.children.get(VULN) ?? []).filter((n) => mine.includes(n))).toEqual(mine);
      expect(ours.children.get("WAS_WEBAPP_REPORT")).toEqual(reference.children.get("WAS_WEBAPP_REPORT"));
    }
  });

  it("write base64 contents in chunks of at most 64 KiB, so a large document never sits in one piece", () => {
    const chunks = generated(3, 1_000_000);
    const largest = Math.max(...chunks.map((c) => c.length));
    expect(largest).toBeLessThanOrEqual(64 * 1024 + 16 * 1024);
    expect(chunks.reduce((n, c) => n + c.length, 0)).toBeGreaterThan(3 * 1_333_333);
  });

  it("are the same at every download", () => {
    expect(Buffer.concat(generated(3, 5000, true)).equals(Buffer.concat(generated(3, 5000, true)))).toBe(
      true,
    );
  });
});
