import type { SimModuleDef } from "../http/types.js";
import { reportRoutes, tickReports } from "./report-routes.js";

/**
 * WAS reports (create, status, download, search, get, delete, count). A report is RUNNING for
 * `reportDurationMs`, then `tick` renders its file from the world at that moment and marks it COMPLETE (or ERROR).
 */
export const reportModule: SimModuleDef = {
  name: "reports",
  routes: reportRoutes,
  tick: tickReports,
};
