/**
 * The Qualys service connection as a task reads it: the API server URL, the credentials of its authentication
 * scheme and the proxy, turned into the client's options. Every secret is registered with the agent
 * (`setSecret`), so the job log masks it wherever it would appear.
 */

import { type Auth, knownSecrets, type QualysClientOptions } from "@qualys-connector/client";
import * as tl from "azure-pipelines-task-lib/task";
import { TaskInputError } from "./inputs.js";

/** The endpoint type's name in vss-extension.json; task inputs are `connectedService:qualys`. */
export const ENDPOINT_TYPE = "qualys";

/** What a task needs from the service connection. */
export interface QualysConnection {
  client: Pick<QualysClientOptions, "apiUrl" | "gatewayUrl" | "auth" | "proxy">;
  /** Every secret value of the connection, to mask in outputs as the agent masks them in the log. */
  secrets: string[];
}

/**
 * Read the service connection named by the task input `input`. `userAuth` is the client authentication to use
 * with a username and password: `basic` for WAS, `session` for the VM API v2 (docs/qualys-api.md 4.1).
 */
export function readConnection(input: string, userAuth: "basic" | "session"): QualysConnection {
  const id = tl.getInput(input, true) ?? "";
  const url = tl.getEndpointUrl(id, false)?.trim() ?? "";
  if (url === "") throw new TaskInputError(`${input}: the service connection has no API server URL`);
  const scheme = tl.getEndpointAuthorizationScheme(id, true) ?? "UsernamePassword";
  const param = (key: string) => tl.getEndpointAuthorizationParameter(id, key, true)?.trim() ?? "";
  let auth: Auth;
  // The endpoint type declares two schemes: Basic (UsernamePassword) and OAuth client credentials, stored in a
  // scheme without a header of its own ("None"), since the task fetches the token itself (docs/qualys-api.md 2.3).
  if (scheme.toLowerCase() === "usernamepassword") {
    const username = param("username");
    const password = tl.getEndpointAuthorizationParameter(id, "password", true) ?? "";
    if (username === "" || password === "")
      throw new TaskInputError(`${input}: the service connection needs a username and a password`);
    auth = { kind: userAuth, username, password };
  } else {
    const clientId = param("clientId");
    const clientSecret = tl.getEndpointAuthorizationParameter(id, "clientSecret", true) ?? "";
    if (clientId === "" || clientSecret === "")
      throw new TaskInputError(
        `${input}: the service connection uses OAuth client credentials, but its client id or client secret is empty`,
      );
    auth = { kind: "oauth", clientId, clientSecret };
  }
  const gatewayUrl = tl.getEndpointDataParameter(id, "gatewayUrl", true)?.trim() ?? "";
  const proxy = proxyOf(id, url);
  const client: QualysConnection["client"] = {
    apiUrl: url,
    auth,
    ...(gatewayUrl !== "" ? { gatewayUrl } : {}),
    ...(proxy !== undefined ? { proxy } : {}),
  };
  const secrets = knownSecrets(client);
  for (const secret of secrets) tl.setSecret(secret);
  return { client, secrets };
}

/**
 * "Use Proxy Settings": the proxy the connection names (URL, optional username and password), or, when it names
 * none, the agent's own proxy configuration. Without the box ticked, no proxy.
 */
function proxyOf(id: string, apiUrl: string): string | undefined {
  const data = (key: string) => tl.getEndpointDataParameter(id, key, true)?.trim() ?? "";
  if (data("useProxy").toLowerCase() !== "true") return undefined;
  const given = data("proxyUrl");
  if (given !== "") {
    let proxy: URL;
    try {
      proxy = new URL(given);
    } catch {
      throw new TaskInputError(`proxyUrl: "${given}" is not a URL such as http://proxy.example:3128`);
    }
    const username = data("proxyUsername");
    const password = tl.getEndpointDataParameter(id, "proxyPassword", true) ?? "";
    if (password !== "") tl.setSecret(password);
    if (username !== "") {
      proxy.username = encodeURIComponent(username);
      proxy.password = encodeURIComponent(password);
    }
    return proxy.toString();
  }
  const agent = tl.getHttpProxyConfiguration(apiUrl);
  if (agent === null) return undefined;
  const proxy = new URL(agent.proxyUrl);
  if (agent.proxyUsername) {
    if (agent.proxyPassword) tl.setSecret(agent.proxyPassword);
    proxy.username = encodeURIComponent(agent.proxyUsername);
    proxy.password = encodeURIComponent(agent.proxyPassword ?? "");
  }
  return proxy.toString();
}
