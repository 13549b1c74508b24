import { type RunningSimulator, type SimulatorOptions, startSimulator } from "../../src/index.js";

export const USER = "sim_user";
export const PASSWORD = "sim-password";

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

/** Start a small simulator for a test file; call the returned `stop` in afterAll. */
export async function smallSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ webapps: 3, findingsPerWebapp: 5, hosts: 2, kbSize: 300, ...options });
}

/** POST a v2 form with Basic auth and X-Requested-With. */
export function v2(
  sim: RunningSimulator,
  path: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return fetch(`${sim.url}${path}`, {
    method: "POST",
    headers: {
      Authorization: basic(USER, PASSWORD),
      "X-Requested-With": "test",
      "Content-Type": "application/x-www-form-urlencoded",
      ...headers,
    },
    body: new URLSearchParams(params).toString(),
  });
}
