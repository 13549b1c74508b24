/**
 * Saved WAS reports of the seeded subscription: titles in families that share a prefix, creation dates over
 * the last 14 months, mostly COMPLETE web app reports in XML. COMPLETE web app reports render from the world at
 * each download (so they follow the findings as they change); the scan reports and the hostile report are
 * generated documents, since the seeded world keeps no finished scans. Uses its own random stream, so adding
 * reports changes nothing else in the world.
 */
import type {
  GeneratedReportSpec,
  SimOwner,
  SimReport,
  SimTag,
  WasReportFormat,
  WasReportType,
} from "../model.js";
import type { GeneratedReportRequest, ResolvedOptions } from "../options.js";
import { Random } from "../random.js";
import { fileKind, reportFileName } from "../reports/report-render.js";
import { allocateId, isoDate, type SimWorld } from "../world.js";
import { HOSTILE_RESPONSE } from "./catalog.js";

const DAY = 86_400_000;

/** Saved reports besides the hostile one: how many, and how many of them are scan reports, RUNNING or ERROR. */
export const SAVED_REPORT_COUNTS = { total: 36, scanReports: 4, running: 2, error: 3 } as const;
/** Oldest saved report, in days before the simulator's clock (about 14 months). */
export const SAVED_REPORT_MAX_AGE_DAYS = 425;

/** Title of the seeded hostile report (the title itself carries hostile strings after this prefix). */
export const HOSTILE_REPORT_TITLE_PREFIX = "Hostile strings report";
export const HOSTILE_REPORT_TITLE = `${HOSTILE_REPORT_TITLE_PREFIX} =cmd|' /C calc'!A0 <script>alert(1)</script>`;

/** Report tags (docs/qualys-api.md 3.10 lists tags.id and tags.name as report filters); ids are the simulator's. */
export const REPORT_TAGS: readonly SimTag[] = [
  { id: 4101, name: "Ivanti" },
  { id: 4102, name: "Weekly" },
  { id: 4103, name: "Audit" },
];

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

interface Draft {
  name: string;
  type: WasReportType;
  format: WasReportFormat;
  created: number;
  status: SimReport["status"];
  tags: SimTag[];
  generated?: GeneratedReportSpec;
}

function title(rng: Random, created: number, n: number, webAppNames: readonly string[]): Draft["name"] {
  const d = new Date(created);
  const day = d.toISOString().slice(0, 10);
  const app = rng.pick(webAppNames);
  switch (n % 6) {
    case 0:
    case 1:
      return `Weekly web app report ${day}`;
    case 2:
      return `Ivanti Neurons ${app} ${day}`;
    case 3:
      return `Ivanti export ${n}`;
    case 4:
      return `Monthly summary ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
    default:
      return `Audit ${app} Q${Math.floor(d.getUTCMonth() / 3) + 1} ${d.getUTCFullYear()}`;
  }
}

function tagsFor(name: string): SimTag[] {
  const [ivanti, weekly, audit] = REPORT_TAGS;
  if (name.startsWith("Ivanti") && ivanti) return [ivanti];
  if (name.startsWith("Weekly") && weekly) return [weekly];
  if (name.startsWith("Audit") && audit) return [audit];
  return [];
}

/** Add the saved reports, plus the generated reports of the options, to a freshly seeded world. */
export function seedSavedReports(world: SimWorld, options: ResolvedOptions, now: number): void {
  const rng = new Random(options.seed ^ 0x0005ea7e);
  const webApps = [...world.webApps.values()];
  const mainUser = world.users[0];
  const owner: SimOwner = mainUser
    ? {
        id: mainUser.id,
        username: mainUser.username,
        firstName: mainUser.firstName,
        lastName: mainUser.lastName,
      }
    : { id: 1, username: options.username, firstName: "Sim", lastName: "User" };
  const { total, scanReports, running, error } = SAVED_REPORT_COUNTS;

  // Settled reports (COMPLETE or ERROR) over the window, oldest first so ids grow with creation dates; the
  // hostile report is the newest settled one, and the RUNNING ones were created within the last hour.
  const settled = total - running;
  const dates = Array.from(
    { length: settled },
    () => now - rng.int(DAY, SAVED_REPORT_MAX_AGE_DAYS * DAY),
  ).sort((a, b) => a - b);
  const errorAt = new Set(rng.sample([...dates.keys()], error));
  const scanAt = new Set(
    rng.sample(
      [...dates.keys()].filter((i) => !errorAt.has(i)),
      scanReports,
    ),
  );
  const names = webApps.length > 0 ? webApps.map((w) => w.name.slice(0, 40)) : ["web app"];
  const drafts: Draft[] = dates.map((created, i) => {
    const name = title(rng, created, i, names);
    const isScan = scanAt.has(i);
    const format: WasReportFormat = rng.chance(0.85)
      ? "XML"
      : rng.pick(["PDF", "CSV", "HTML_ZIPPED"] as const);
    return {
      name,
      type: isScan ? "WAS_SCAN_REPORT" : "WAS_WEBAPP_REPORT",
      format: isScan ? "XML" : format,
      created,
      status: errorAt.has(i) ? "ERROR" : "COMPLETE",
      tags: tagsFor(name),
      ...(isScan ? { generated: { findings: rng.int(3, 12), responseBytes: 512, hostile: false } } : {}),
    };
  });
  drafts.push({
    name: HOSTILE_REPORT_TITLE,
    type: "WAS_WEBAPP_REPORT",
    format: "XML",
    created: now - 3_600_000 - 1000,
    status: "COMPLETE",
    tags: [],
    generated: { findings: 14, responseBytes: Buffer.byteLength(HOSTILE_RESPONSE, "utf8"), hostile: true },
  });
  for (let i = 0; i < running; i++) {
    const created = now - rng.int(60_000, 3_500_000);
    drafts.push({
      name: `Weekly web app report ${isoDate(created).slice(0, 10)} (in progress ${i + 1})`,
      type: "WAS_WEBAPP_REPORT",
      format: "XML",
      created,
      status: "RUNNING",
      tags: tagsFor("Weekly"),
    });
  }
  drafts.sort((a, b) => a.created - b.created);

  for (const draft of drafts) {
    const targets = rng.sample(webApps, rng.int(1, 3)).map((w) => w.id);
    addReport(world, draft, owner, targets);
  }
  for (const spec of options.generatedReports) {
    addGeneratedReport(world, { ...spec, created: now }, owner);
  }
}

/** Add a COMPLETE generated report to the world; returns it. */
export function addGeneratedReport(
  world: SimWorld,
  request: GeneratedReportRequest & { created: number },
  owner: SimOwner,
): SimReport {
  const hostile = request.hostile ?? false;
  const draft: Draft = {
    name:
      request.name ??
      (hostile
        ? HOSTILE_REPORT_TITLE
        : `Generated report ${request.findings} x ${request.responseBytes} bytes`),
    type: request.type ?? "WAS_WEBAPP_REPORT",
    format: "XML",
    created: request.created,
    status: "COMPLETE",
    tags: [],
    generated: { findings: request.findings, responseBytes: request.responseBytes, hostile },
  };
  const firstWebApp = world.webApps.keys().next();
  const targets =
    request.webAppId !== undefined ? [request.webAppId] : firstWebApp.done ? [] : [firstWebApp.value];
  return addReport(world, draft, owner, targets);
}

function addReport(world: SimWorld, draft: Draft, owner: SimOwner, targetIds: number[]): SimReport {
  const id = allocateId(world, "report");
  const report: SimReport = {
    id,
    name: draft.name,
    description: null,
    type: draft.type,
    format: draft.format,
    status: draft.status,
    createdDate: isoDate(draft.created),
    updatedDate: isoDate(draft.created + 60_000),
    owner,
    // RUNNING saved reports never finish: they stand for reports stuck in generation.
    readyAt: draft.status === "RUNNING" ? Number.POSITIVE_INFINITY : draft.created,
    targetIds,
    content: null,
    contentType: fileKind(draft.format).contentType,
    fileName: reportFileName(draft.name, id, draft.format),
    tags: draft.tags,
    live: draft.generated === undefined,
    ...(draft.generated ? { generated: draft.generated } : {}),
  };
  world.reports.set(id, report);
  return report;
}
