/** What the WAS and VM runner tests share: a virtual clock, scripted answers and the API's HTTP errors. */

import { type Clock, QualysHttpError } from "@qualys-connector/client";

export const START = Date.parse("2026-12-01T12:00:00Z");
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const API = "https://qualysapi.example";

export const httpError = (status: number, method: string, path: string, body = "") =>
  new QualysHttpError(status, { method, url: `${API}${path}` }, body);

/** A scripted answer: the value, or the error the call throws. */
export function answer<T>(value: T | Error): T {
  if (value instanceof Error) throw value;
  return value;
}

export interface FakeClock extends Clock {
  /** Every sleep asked for, in ms. */
  sleeps: number[];
  /** Runs inside the n-th sleep (from 1); a promise it returns replaces the instant wake-up. */
  duringSleep: ((n: number) => Promise<void> | undefined) | undefined;
}

/** A clock whose sleeps pass at once, so a 24-hour timeout takes milliseconds. */
export function fakeClock(): FakeClock {
  let now = START;
  const clock: FakeClock = {
    sleeps: [],
    duringSleep: undefined,
    now: () => now,
    sleep(ms) {
      clock.sleeps.push(ms);
      now += ms;
      return clock.duringSleep?.(clock.sleeps.length) ?? Promise.resolve();
    },
  };
  return clock;
}
