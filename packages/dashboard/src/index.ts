/**
 * The local dashboard: server-rendered pages over a store opened read-only (applications, findings, a finding's
 * detail, exports), served on loopback by `startDashboard`, or handled request by request by `createDashboard`.
 */

export { DASHBOARD_CSS, DASHBOARD_JS } from "./assets.js";
export { csvCell } from "./export.js";
export type { GateRunFilter, GateRunRow, GateRunSource, GateRunSummary } from "./gate-runs.js";
export { Html, html, trusted } from "./html.js";
export {
  CONTENT_SECURITY_POLICY,
  createDashboard,
  type Dashboard,
  type DashboardOptions,
  isLoopback,
  type RunningDashboard,
  type StartDashboardOptions,
  startDashboard,
  TOKEN_COOKIE,
} from "./server.js";
