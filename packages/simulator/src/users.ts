import type { SimModule, SimUser } from "./model.js";
import type { ResolvedOptions } from "./options.js";

/** Fixed OAuth client credentials of the main user, for `/auth/oidc` (docs/qualys-api.md 2.3). */
export const SIM_CLIENT_ID = "sim-client-id";
export const SIM_CLIENT_SECRET = "sim-client-secret";

const ALL_MODULES: readonly SimModule[] = ["API", "WAS", "VM", "KB", "AM"];

/**
 * The users of the simulated subscription. Besides the main user (every module), fixed users exercise the
 * refusals a real subscription gives; they share the main user's password:
 * - `sim_was_only`: WAS only (VM, KB and AM refused);
 * - `sim_vm_only`: VM, KB and AM (WAS refused);
 * - `sim_no_api`: no API access at all;
 * - `sim_expired`: an expired account (SIMPLE_RETURN code 2001 on v2; INVALID_CREDENTIALS on WAS).
 */
export function createUsers(options: ResolvedOptions): SimUser[] {
  const base = { password: options.password, expired: false, oidcEnabled: true };
  return [
    {
      ...base,
      id: 9001,
      username: options.username,
      firstName: "Sim",
      lastName: "User",
      modules: ALL_MODULES,
      clientId: SIM_CLIENT_ID,
      clientSecret: SIM_CLIENT_SECRET,
    },
    {
      ...base,
      id: 9002,
      username: "sim_was_only",
      firstName: "Wanda",
      lastName: "Web",
      modules: ["API", "WAS"],
    },
    {
      ...base,
      id: 9003,
      username: "sim_vm_only",
      firstName: "Victor",
      lastName: "Hosts",
      modules: ["API", "VM", "KB", "AM"],
    },
    {
      ...base,
      id: 9004,
      username: "sim_no_api",
      firstName: "Nora",
      lastName: "Portal",
      modules: ["WAS", "VM", "KB"],
    },
    {
      ...base,
      id: 9005,
      username: "sim_expired",
      firstName: "Ex",
      lastName: "Pired",
      modules: ALL_MODULES,
      expired: true,
    },
  ];
}
