/** The simulator's live state, shared by the HTTP layer and the control API. */
import { authModule } from "./auth-routes.js";
import { runScanCycle } from "./data/evolve.js";
import { generateWorld } from "./data/generate.js";
import { addGeneratedReport as addGeneratedReportTo } from "./data/seed-reports.js";
import { AuthState } from "./http/auth.js";
import { FaultInjector } from "./http/faults.js";
import { ApiLimiter } from "./http/limits.js";
import type { SimContext, SimModuleDef } from "./http/types.js";
import type { SimReport, SimUser } from "./model.js";
import {
  type GeneratedReportRequest,
  type ResolvedOptions,
  resolveOptions,
  type SimulatorOptions,
} from "./options.js";

export type { GeneratedReportRequest } from "./options.js";

import { reportModule } from "./reports/module.js";
import { CallStats } from "./stats.js";
import { createUsers } from "./users.js";
import { vmModule } from "./vm/module.js";
import { wasModule } from "./was/module.js";
import type { SimWorld } from "./world.js";

const MODULES: readonly SimModuleDef[] = [authModule, wasModule, reportModule, vmModule];

/** Live state of a running simulator, shared by the HTTP layer and the control API. */
export interface SimulatorRuntime {
  options: ResolvedOptions;
  users: SimUser[];
  world: SimWorld;
  /** Clock value the seeded world was generated at; `reset` regenerates at the same instant. */
  readonly seededAt: number;
  modules: readonly SimModuleDef[];
  limiter: ApiLimiter;
  faults: FaultInjector;
  stats: CallStats;
  auth: AuthState;
  context(): SimContext;
  /** Move every time-driven state up to now. */
  tick(): void;
}

/** Create the runtime without listening (for in-process use and tests). */
export function createRuntime(options: SimulatorOptions = {}): SimulatorRuntime {
  const resolved = resolveOptions(options);
  const users = createUsers(resolved);
  const seededAt = resolved.now();
  const runtime: SimulatorRuntime = {
    options: resolved,
    users,
    world: generateWorld({ ...resolved, now: () => seededAt }, users),
    seededAt,
    modules: MODULES,
    limiter: new ApiLimiter(
      {
        calls: resolved.rateLimit.calls,
        windowSec: resolved.rateLimit.windowSec,
        concurrency: resolved.concurrencyLimit,
      },
      resolved.now,
    ),
    faults: new FaultInjector({ rate: resolved.faultRate, kinds: resolved.faults }, resolved.seed),
    stats: new CallStats(),
    auth: new AuthState(resolved.now),
    context() {
      return {
        world: runtime.world,
        options: runtime.options,
        now: runtime.options.now,
        users: runtime.users,
        auth: runtime.auth,
      };
    },
    tick() {
      const ctx = runtime.context();
      for (const m of runtime.modules) m.tick?.(ctx);
    },
  };
  return runtime;
}

export function resetRuntime(runtime: SimulatorRuntime): void {
  const seededAt = runtime.seededAt;
  runtime.world = generateWorld({ ...runtime.options, now: () => seededAt }, runtime.users);
  runtime.stats.reset();
  runtime.limiter.reset();
}

export function runScanCycles(runtime: SimulatorRuntime, count: number): void {
  for (let i = 0; i < count; i++) {
    runtime.tick();
    runScanCycle(runtime.world, runtime.options.now(), runtime.options);
  }
}

/** Add a COMPLETE generated report (control API, in-process control), created now, owned by the main user. */
export function addGeneratedReport(runtime: SimulatorRuntime, request: GeneratedReportRequest): SimReport {
  runtime.tick();
  const user = runtime.users[0];
  const owner = user
    ? { id: user.id, username: user.username, firstName: user.firstName, lastName: user.lastName }
    : { id: 1, username: runtime.options.username, firstName: "Sim", lastName: "User" };
  return addGeneratedReportTo(runtime.world, { ...request, created: runtime.options.now() }, owner);
}
