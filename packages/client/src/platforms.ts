/**
 * Qualys shared platforms (docs/qualys-api.md 1.1, from Qualys' own Jenkins WAS plugin and qualysdk) and the
 * derivation of gateway and portal URLs from an API URL (1.2).
 */
import { QualysConfigError } from "./errors.js";
import { opt, optionMessage } from "./option-message.js";

export const PLATFORMS = {
  US1: {
    api: "https://qualysapi.qualys.com",
    gateway: "https://gateway.qg1.apps.qualys.com",
    portal: "https://qualysguard.qualys.com",
  },
  US2: {
    api: "https://qualysapi.qg2.apps.qualys.com",
    gateway: "https://gateway.qg2.apps.qualys.com",
    portal: "https://qualysguard.qg2.apps.qualys.com",
  },
  US3: {
    api: "https://qualysapi.qg3.apps.qualys.com",
    gateway: "https://gateway.qg3.apps.qualys.com",
    portal: "https://qualysguard.qg3.apps.qualys.com",
  },
  US4: {
    api: "https://qualysapi.qg4.apps.qualys.com",
    gateway: "https://gateway.qg4.apps.qualys.com",
    portal: "https://qualysguard.qg4.apps.qualys.com",
  },
  EU1: {
    api: "https://qualysapi.qualys.eu",
    gateway: "https://gateway.qg1.apps.qualys.eu",
    portal: "https://qualysguard.qualys.eu",
  },
  EU2: {
    api: "https://qualysapi.qg2.apps.qualys.eu",
    gateway: "https://gateway.qg2.apps.qualys.eu",
    portal: "https://qualysguard.qg2.apps.qualys.eu",
  },
  EU3: {
    api: "https://qualysapi.qg3.apps.qualys.it",
    gateway: "https://gateway.qg3.apps.qualys.it",
    portal: "https://qualysguard.qg3.apps.qualys.it",
  },
  IN1: {
    api: "https://qualysapi.qg1.apps.qualys.in",
    gateway: "https://gateway.qg1.apps.qualys.in",
    portal: "https://qualysguard.qg1.apps.qualys.in",
  },
  CA1: {
    api: "https://qualysapi.qg1.apps.qualys.ca",
    gateway: "https://gateway.qg1.apps.qualys.ca",
    portal: "https://qualysguard.qg1.apps.qualys.ca",
  },
  AE1: {
    api: "https://qualysapi.qg1.apps.qualys.ae",
    gateway: "https://gateway.qg1.apps.qualys.ae",
    portal: "https://qualysguard.qg1.apps.qualys.ae",
  },
  UK1: {
    api: "https://qualysapi.qg1.apps.qualys.co.uk",
    gateway: "https://gateway.qg1.apps.qualys.co.uk",
    portal: "https://qualysguard.qg1.apps.qualys.co.uk",
  },
  AU1: {
    api: "https://qualysapi.qg1.apps.qualys.com.au",
    gateway: "https://gateway.qg1.apps.qualys.com.au",
    portal: "https://qualysguard.qg1.apps.qualys.com.au",
  },
  KSA1: {
    api: "https://qualysapi.qg1.apps.qualysksa.com",
    gateway: "https://gateway.qg1.apps.qualysksa.com",
    portal: "https://qualysguard.qg1.apps.qualysksa.com",
  },
} as const;

export type PlatformId = keyof typeof PLATFORMS;
export const PLATFORM_IDS = Object.keys(PLATFORMS) as PlatformId[];

export interface Endpoints {
  /** API server origin, no trailing slash. */
  api: string;
  gateway: string;
  portal: string;
  platform: PlatformId | "private";
}

/** Endpoints of a shared platform; the id is case-insensitive. */
export function platformEndpoints(id: string): Endpoints {
  const key = id.trim().toUpperCase() as PlatformId;
  const platform = PLATFORMS[key];
  if (!platform) {
    throw new QualysConfigError([
      optionMessage`${opt("platform")}: unknown platform "${id}"; expected one of ${PLATFORM_IDS.join(", ")}`,
    ]);
  }
  return { ...platform, platform: key };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Endpoints from an API URL. A known platform URL maps to its table row; a loopback URL (the simulator) serves
 * the gateway and portal on the same origin; other hosts follow the JWAS heuristic of docs/qualys-api.md 1.2.
 */
export function endpointsFromApiUrl(apiUrl: string): Endpoints {
  let url: URL;
  try {
    url = new URL(apiUrl.trim());
  } catch {
    throw new QualysConfigError([
      optionMessage`${opt("apiUrl")}: "${apiUrl}" is not a URL; expected e.g. https://qualysapi.qg2.apps.qualys.com`,
    ]);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new QualysConfigError([
      optionMessage`${opt("apiUrl")}: "${apiUrl}" must use https (or http for a local simulator)`,
    ]);
  }
  const origin = url.origin;
  for (const id of PLATFORM_IDS) {
    if (PLATFORMS[id].api === origin) return { ...PLATFORMS[id], platform: id };
  }
  if (isLoopback(url.hostname) || isLoopback(url.host)) {
    return { api: origin, gateway: origin, portal: origin, platform: "private" };
  }
  if (url.protocol !== "https:") {
    throw new QualysConfigError([
      optionMessage`${opt("apiUrl")}: "${apiUrl}" must use https outside this machine`,
    ]);
  }
  return {
    api: origin,
    gateway: gatewayOrigin(url),
    portal: origin.replace("qualysapi.", "qualysguard."),
    platform: "private",
  };
}

/** JWAS Helper.getGatewayUrl (docs/qualys-api.md 1.2); the private-cloud pattern is UNCONFIRMED. */
function gatewayOrigin(url: URL): string {
  const host = url.hostname;
  if (host.includes("gateway")) return url.origin;
  if (host === "qualysapi.qualys.com") return "https://gateway.qg1.apps.qualys.com";
  if (host === "qualysapi.qualys.eu") return "https://gateway.qg1.apps.qualys.eu";
  if (!host.startsWith("qualysapi.")) {
    throw new QualysConfigError([
      optionMessage`${opt("apiUrl")}: cannot derive the gateway from "${url.origin}": the host should start with "qualysapi."; give ${opt("gatewayUrl")}`,
    ]);
  }
  const isShared = /^qualysapi\.(qg\d+\.)?apps\.qualys/.test(host) || host.endsWith("qualys.com");
  return `${url.protocol}//${host.replace("qualysapi.", isShared ? "gateway." : "qualysgateway.")}${url.port ? `:${url.port}` : ""}`;
}

/**
 * The endpoints of a subscription from a platform id or an API URL, with an explicit gateway override for
 * private clouds whose gateway does not follow the 1.2 heuristic.
 */
export function resolvePlatform(input: {
  platform?: string;
  apiUrl?: string;
  gatewayUrl?: string;
}): Endpoints {
  if (input.apiUrl && input.platform) {
    throw new QualysConfigError([
      optionMessage`give either ${opt("apiUrl")} or ${opt("platform")}, not both`,
    ]);
  }
  const endpoints = input.apiUrl
    ? endpointsFromApiUrl(input.apiUrl)
    : input.platform
      ? platformEndpoints(input.platform)
      : undefined;
  if (!endpoints)
    throw new QualysConfigError([optionMessage`${opt("apiUrl")} or ${opt("platform")} is required`]);
  if (!input.gatewayUrl) return endpoints;
  let gateway: URL;
  try {
    gateway = new URL(input.gatewayUrl.trim());
  } catch {
    throw new QualysConfigError([optionMessage`${opt("gatewayUrl")}: "${input.gatewayUrl}" is not a URL`]);
  }
  return { ...endpoints, gateway: gateway.origin };
}

/** The UI portal of an API URL: GHA's `apiServer.replace("api", "guard")` (docs/qualys-api.md 1.2). */
export function portalUrl(apiUrl: string): string {
  return endpointsFromApiUrl(apiUrl).portal;
}
