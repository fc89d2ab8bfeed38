// GET /metrics: Prometheus text, optionally behind a bearer token compared in constant time (S17).
import { timingSafeEqual } from "node:crypto";
import { BlossomError } from "../../protocol/errors.ts";
import type { RouteSpec } from "../route.ts";

export interface MetricsRouteDeps {
  /** Empty: no token required. */
  readonly token: string;
  readonly contentType: string;
  /** Refreshes values read at scrape time, then renders. */
  readonly render: () => Promise<string>;
}

function digest(text: string): Buffer {
  return Buffer.from(new Bun.CryptoHasher("sha256").update(text).digest());
}

/** Equal-length digests, so neither the content nor the length of the secret leaks (A14). */
export function secretEquals(given: string, secret: string): boolean {
  return timingSafeEqual(digest(given), digest(secret));
}

export function metricsRoutes(deps: MetricsRouteDeps): RouteSpec[] {
  return [
    {
      method: "GET",
      path: "/metrics",
      name: "metrics",
      auth: "public", // a bearer token of its own, not a Nostr event
      handle: async ({ request }) => {
        if (deps.token !== "") {
          const header = request.headers.get("authorization") ?? "";
          const given = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
          if (!secretEquals(given, deps.token))
            throw new BlossomError("forbidden", "metrics token required");
        }
        return new Response(await deps.render(), { headers: { "Content-Type": deps.contentType } });
      },
    },
  ];
}
