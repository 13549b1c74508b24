import type { SimUser } from "../model.js";
import type { ResolvedOptions } from "../options.js";
import type { SimWorld } from "../world.js";
import { seedWorld } from "./seed-world.js";

/** Build the seeded subscription: the same options always give the same world (dates relative to `now`). */
export function generateWorld(options: ResolvedOptions, users: SimUser[]): SimWorld {
  return seedWorld(options, users);
}
