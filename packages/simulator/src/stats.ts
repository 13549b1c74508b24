import type { LimitCounters } from "./http/limits.js";

export interface StatsSnapshot {
  /** API calls answered (control calls are not counted). */
  total: number;
  /** Per `METHOD /path-template`: counts per HTTP status (`0` = connection reset). */
  byEndpoint: Record<string, Record<string, number>>;
  limits: LimitCounters;
}

/** Counts API calls by endpoint and status, for `GET /__sim/stats`. */
export class CallStats {
  private total = 0;
  private byEndpoint: Record<string, Record<string, number>> = {};

  record(endpoint: string, status: number): void {
    this.total += 1;
    const byStatus = this.byEndpoint[endpoint] ?? {};
    byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
    this.byEndpoint[endpoint] = byStatus;
  }

  reset(): void {
    this.total = 0;
    this.byEndpoint = {};
  }

  snapshot(limits: LimitCounters): StatsSnapshot {
    return {
      total: this.total,
      byEndpoint: structuredClone(this.byEndpoint),
      limits: { ...limits },
    };
  }
}
