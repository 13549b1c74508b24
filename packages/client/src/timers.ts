/**
 * Timers that hold any duration. Node's setTimeout holds at most 2^31-1 ms (about 24.8 days); a longer delay
 * prints a TimeoutOverflowWarning and fires after 1 ms, which turns a long poll interval into a busy loop. These
 * helpers split a long delay into chunks instead, and stop (clearing their timer) when a signal aborts, so a
 * cancelled wait leaves nothing behind that keeps the process alive.
 */

/** The longest delay one setTimeout holds. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Call `fire` after `ms` (any length, split into chunks of at most `chunkMs`); returns a function that cancels
 * the timer. `chunkMs` exists for tests.
 */
export function longTimer(ms: number, fire: () => void, chunkMs = MAX_TIMER_MS): () => void {
  let timer: NodeJS.Timeout | undefined;
  const end = Date.now() + Math.max(0, ms);
  let left = Math.max(0, ms);
  const arm = () => {
    timer = setTimeout(
      () => {
        left = end - Date.now();
        if (left > 0) arm();
        else fire();
      },
      Math.min(left, chunkMs),
    );
  };
  arm();
  return () => clearTimeout(timer);
}

/** Sleep `ms` (any length); resolves early, with its timer cleared, when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal, chunkMs = MAX_TIMER_MS): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      cancel();
      resolve();
    };
    const cancel = longTimer(
      ms,
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      chunkMs,
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * A signal that aborts after `ms` (any length) with `reason`, or when `parent` aborts (with the parent's reason).
 * Call `clear` when done so the timer does not outlive the work it bounds.
 */
export function deadlineSignal(
  ms: number,
  reason: unknown,
  parent?: AbortSignal,
): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const onParent = () => {
    cancel();
    controller.abort(parent?.reason);
  };
  const cancel = longTimer(ms, () => {
    parent?.removeEventListener("abort", onParent);
    controller.abort(reason);
  });
  if (parent?.aborted) onParent();
  else parent?.addEventListener("abort", onParent, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      cancel();
      parent?.removeEventListener("abort", onParent);
    },
  };
}
