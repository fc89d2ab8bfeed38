// GET /metrics: Prometheus text, optionally behind a bearer token (S17).
import type { RouteSpec } from "../route.ts";

export interface MetricsRouteDeps {
  /** Empty: no token required. */
  readonly token: string;
  readonly contentType: string;
  /** Refreshes values read at scrape time, then renders. */
  readonly render: () => Promise<string>;
}

export function metricsRoutes(deps: MetricsRouteDeps): RouteSpec[] {
  return [
    {
      method: "GET",
      path: "/metrics",
      name: "metrics",
      auth: deps.token === "" ? "public" : { bearerToken: deps.token },
      handle: async () =>
        new Response(await deps.render(), { headers: { "Content-Type": deps.contentType } }),
    },
  ];
}
