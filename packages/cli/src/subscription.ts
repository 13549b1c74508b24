/**
 * Which subscription rows an import belongs to. Every stored row carries a subscription (API URL + user name),
 * and a report file does not say which one it came from, so the command decides (docs/import.md, "Subscription"):
 *
 * 1. `--api-url`/`--platform` and `--username` (or QUALYS_API_URL / QUALYS_PLATFORM and QUALYS_USERNAME, or a
 *    `--config` file, read in the sync's order): that subscription, the same key the sync stores, so imported rows merge with synced ones;
 * 2. else the store's only subscription, when it holds exactly one;
 * 3. else, in a store with none, the subscription of imported files, `IMPORT_SUBSCRIPTION`;
 * 4. several and none chosen: a usage error listing them.
 */
import { type Auth, QualysConfigError, resolvePlatform } from "@qualys-connector/client";
import type { Store, SubscriptionKey } from "@qualys-connector/store";
import { UsageError } from "./exit-codes.js";
import { inFlags } from "./option-flags.js";
import { readConfigFile } from "./settings.js";

/** The subscription of rows imported from files with no Qualys subscription named: no API behind them. */
export const IMPORT_SUBSCRIPTION: SubscriptionKey = { apiUrl: "file:", username: "report-import" };

export interface SubscriptionFlags {
  config?: string;
  apiUrl?: string;
  platform?: string;
  username?: string;
}

/** The subscription key the flags or environment name, as the sync would store it; undefined when none is named. */
export function namedSubscription(
  flags: SubscriptionFlags,
  env: NodeJS.ProcessEnv,
): SubscriptionKey | undefined {
  // The sync's order: flag, then environment, then the settings file.
  const file = flags.config ? readConfigFile(flags.config) : {};
  const fromFile = (key: string) => {
    const value = file[key];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const apiUrl = flags.apiUrl ?? env.QUALYS_API_URL ?? fromFile("apiUrl");
  const platform = flags.platform ?? env.QUALYS_PLATFORM ?? fromFile("platform");
  const username = flags.username ?? env.QUALYS_USERNAME ?? fromFile("username");
  if (!apiUrl && !platform && !username) return undefined;
  if (!username)
    throw new UsageError("--username is required with --api-url or --platform (or QUALYS_USERNAME)");
  if (!apiUrl && !platform)
    throw new UsageError(
      "--api-url or --platform is required with --username (or QUALYS_API_URL / QUALYS_PLATFORM)",
    );
  // The subscription of imported files is named by its own URL, which no client would accept.
  if (apiUrl === IMPORT_SUBSCRIPTION.apiUrl) return { apiUrl, username };
  try {
    // The client's own normalization of the URL, so the key equals the one a sync of that subscription stores.
    const endpoints = resolvePlatform({
      ...(apiUrl ? { apiUrl } : {}),
      ...(platform && !apiUrl ? { platform } : {}),
    });
    return { apiUrl: endpoints.api, username };
  } catch (error) {
    if (error instanceof QualysConfigError) throw new UsageError(error.messages.map(inFlags).join("\n"));
    throw error;
  }
}

/** The id of the subscription the imported rows belong to, by the rule above. */
export async function importSubscriptionId(
  store: Store,
  flags: SubscriptionFlags,
  env: NodeJS.ProcessEnv,
): Promise<{ id: number; key: SubscriptionKey }> {
  const named = namedSubscription(flags, env);
  if (named) return { id: await store.subscription(named), key: named };
  const known = await store.subscriptions();
  const only = known.length === 1 ? known[0] : undefined;
  if (only) return { id: only.id, key: { apiUrl: only.apiUrl, username: only.username } };
  if (known.length === 0)
    return { id: await store.subscription(IMPORT_SUBSCRIPTION), key: IMPORT_SUBSCRIPTION };
  const list = known.map((s) => `--api-url ${s.apiUrl} --username ${s.username}`).join("; ");
  throw new UsageError(
    `${store.location} holds ${known.length} subscriptions; name the one to import into with one of: ${list}`,
  );
}

/** The subscription key of an API connection, as `sync` and `pull-reports` store it (OAuth: by client id). */
export function apiSubscription(apiUrl: string, auth: Auth): SubscriptionKey {
  return {
    apiUrl,
    username: "username" in auth ? auth.username : `oauth:${auth.kind === "oauth" ? auth.clientId : ""}`,
  };
}
