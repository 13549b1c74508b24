/**
 * A request scope: an AbortSignal that every request made inside `withRequestScope(scope, fn)` obeys (the
 * request, its retries and back-off sleeps, and limit waits), however deep in the endpoint functions it is made.
 * A gate runs its whole scan inside one scope (SIGTERM and its own deadline), and its cancel call inside another,
 * short one; a library caller does the same around any work. Carried by AsyncLocalStorage, so the endpoint
 * functions need no extra parameter.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface RequestScope {
  /** When it aborts, requests in flight stop at once and no new one is sent (QualysAbortError). */
  signal?: AbortSignal | undefined;
}

const scopes = new AsyncLocalStorage<RequestScope>();

/** Run `fn` with every request it makes bound by `scope`; an inner scope replaces an outer one. */
export function withRequestScope<T>(scope: RequestScope, fn: () => Promise<T>): Promise<T> {
  return scopes.run(scope, fn);
}

/** The scope the current call runs in, if any. */
export function currentRequestScope(): RequestScope | undefined {
  return scopes.getStore();
}

/** The signal's reason as text, for messages. */
export function abortText(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  if (typeof reason === "string") return reason;
  if (reason instanceof Error && reason.message) return reason.message;
  return "aborted";
}
