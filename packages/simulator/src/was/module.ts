import type { SimModuleDef } from "../http/types.js";
import { configRoutes } from "./config-routes.js";
import { findingRoutes } from "./finding-routes.js";
import { scanRoutes, tickWasScans } from "./scan-routes.js";
import { webAppRoutes } from "./webapp-routes.js";

/** WAS API v3 (web apps, scans, findings, auth records, option profiles) and the portal version. */
export const wasModule: SimModuleDef = {
  name: "was",
  routes: [...webAppRoutes, ...findingRoutes, ...scanRoutes, ...configRoutes],
  tick: tickWasScans,
};
