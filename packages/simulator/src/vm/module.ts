import type { SimModuleDef } from "../http/types.js";
import { amRoutes, tickConnectors } from "./am-routes.js";
import { inventoryRoutes } from "./inventory-routes.js";
import { kbRoutes } from "./kb-routes.js";
import { tickVmScans, vmScanRoutes } from "./scan-routes.js";

/** VM API v2 scans, option profiles, appliances, networks, hosts, KnowledgeBase, AM connectors and /msp/about.php. */
export const vmModule: SimModuleDef = {
  name: "vm",
  routes: [...vmScanRoutes, ...kbRoutes, ...inventoryRoutes, ...amRoutes],
  tick: (ctx) => {
    tickVmScans(ctx);
    tickConnectors(ctx);
  },
};
