// What every answered request leaves behind: its metrics and, by the settings, its log line.

import type { HanamiMetrics } from "./hanami-metrics.ts";
import type { Logger } from "./log.ts";
import type { CounterChild } from "./metrics.ts";
import {
  type ClientIpInLines,
  lineCarriesClientIp,
  type RequestLineFields,
  requestLineMembers,
} from "./request-line.ts";

/** One answered request, as the HTTP layer reports it. */
export interface ObservedRequest extends RequestLineFields {
  readonly error: {
    readonly code: string;
    readonly reason: string;
    readonly cause?: unknown;
  } | null;
  readonly responseBytes: number;
}

export interface RequestObserverOptions {
  /** "all": a line per request; "failures": only refused and failed ones. */
  readonly logRequests: "all" | "failures";
  readonly logClientIp: ClientIpInLines;
}

function heldIn<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/**
 * The request counter (by status) and latency histogram of each route and method, held: finding
 * them through label objects cost 2-5 % of a cached HEAD (docs/PERFORMANCE.md).
 */
function requestSeries(metrics: HanamiMetrics) {
  const seriesFor = (route: string, method: string) => {
    const byStatus = new Map<number, CounterChild>();
    return {
      duration: metrics.requestDuration.labels(route),
      requestsWith: (status: number) =>
        heldIn(byStatus, status, () => metrics.requests.labels(route, method, String(status))),
    };
  };
  const byRoute = new Map<string, Map<string, ReturnType<typeof seriesFor>>>();
  return (route: string, method: string) =>
    heldIn(
      heldIn(byRoute, route, () => new Map()),
      method,
      () => seriesFor(route, method),
    );
}

export function createRequestObserver(
  log: Pick<Logger, "enabled" | "infoMembers" | "error">,
  metrics: HanamiMetrics,
  { logRequests, logClientIp }: RequestObserverOptions,
): (request: ObservedRequest) => void {
  const members = (request: ObservedRequest) =>
    requestLineMembers(
      request,
      lineCarriesClientIp(logClientIp, request.method, request.error !== null),
    );
  const seriesOf = requestSeries(metrics);
  const sentBytes = metrics.sentBytes.labels();
  return (request) => {
    const series = seriesOf(request.route, request.method);
    series.requestsWith(request.status).inc();
    series.duration.observe(request.durationMs / 1000);
    sentBytes.inc(request.responseBytes);
    if (request.error === null) {
      if (logRequests === "all" && log.enabled("info")) {
        log.infoMembers("request", members(request));
      }
      return;
    }
    metrics.errors.inc({ code: request.error.code });
    if (request.error.code === "busy" || request.error.code === "storage_full") {
      metrics.requestsShed.inc({ reason: request.error.code });
    }
    if (request.error.code === "internal") {
      metrics.unhandledErrors.inc({});
      // Rare: this line takes the logger's general path, which serialises the error.
      const fields = JSON.parse(`{${members(request).slice(1)}}`);
      return log.error("request", { ...fields, error: request.error.cause ?? request.error });
    }
    if (log.enabled("info")) {
      const reason = `,"reason":${JSON.stringify(request.error.reason)}`;
      log.infoMembers("request", members(request) + reason);
    }
  };
}
