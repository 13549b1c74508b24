import { afterEach, describe, expect, it } from "vitest";
import { deadlineSignal, MAX_TIMER_MS, sleep, systemClock } from "../src/index.js";

const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);

afterEach(() => {
  process.off("warning", onWarning);
  warnings.length = 0;
});

/** Which settles first: `p` or a real 50 ms timer. */
function within50ms(p: Promise<void>): Promise<"settled" | "pending"> {
  return Promise.race([
    p.then(() => "settled" as const),
    new Promise<"pending">((resolve) => setTimeout(() => resolve("pending"), 50)),
  ]);
}

describe("timers that hold any duration", () => {
  it("a sleep longer than a timer holds waits (no 1 ms overflow, no TimeoutOverflowWarning)", async () => {
    process.on("warning", onWarning);
    const controller = new AbortController();
    // Node fires an overflowing setTimeout after 1 ms; that would settle well before the 50 ms timer.
    const long = systemClock.sleep(MAX_TIMER_MS + 60_000, controller.signal);
    expect(await within50ms(long)).toBe("pending");
    controller.abort();
    expect(await within50ms(long)).toBe("settled");
    expect(warnings.map((w) => w.name)).not.toContain("TimeoutOverflowWarning");
  });

  it("a long sleep is split into chunks and still ends after its whole duration", async () => {
    const started = Date.now();
    await sleep(120, undefined, 25);
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });

  it("a deadline longer than a timer holds does not fire early, and follows its parent", async () => {
    process.on("warning", onWarning);
    const parent = new AbortController();
    const deadline = deadlineSignal(MAX_TIMER_MS * 2, "deadline", parent.signal);
    const fired = new Promise<void>((resolve) =>
      deadline.signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    expect(await within50ms(fired)).toBe("pending");
    parent.abort("SIGTERM received");
    expect(await within50ms(fired)).toBe("settled");
    expect(deadline.signal.reason).toBe("SIGTERM received");
    deadline.clear();
    expect(warnings.map((w) => w.name)).not.toContain("TimeoutOverflowWarning");
  });
});
