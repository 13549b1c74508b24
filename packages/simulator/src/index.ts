/**
 * The Qualys API simulator: an independent implementation of the Qualys WAS API v3, VM API v2, KnowledgeBase,
 * AM and gateway auth wire formats, with seeded data, scan lifecycles, API limits, faults and a control API.
 */

export {
  HOSTILE_REPORT_TITLE,
  HOSTILE_REPORT_TITLE_PREFIX,
  REPORT_TAGS,
  SAVED_REPORT_COUNTS,
} from "./data/seed-reports.js";
export type { FaultKind, GeneratedReportRequest, SimulatorOptions } from "./options.js";
export { DEFAULT_PASSWORD, DEFAULT_USERNAME, FAULT_KINDS, SimulatorOptionsError } from "./options.js";
export type { RunningSimulator, SimulatorControl } from "./server.js";
export { startSimulator } from "./server.js";
export type { StatsSnapshot } from "./stats.js";
export { SIM_CLIENT_ID, SIM_CLIENT_SECRET } from "./users.js";
