/** Stand-in for azure-devops-extension-api in the browser tests: getClient hands out the double's build client. */

import { BuildRestClient, buildClient } from "./build.js";

export function getClient<T>(clientClass: unknown): T {
  if (clientClass !== BuildRestClient) throw new Error("the host double has only the build client");
  return buildClient as T;
}
