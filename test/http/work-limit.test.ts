// The adaptive work limit of heavy routes (issue: media, mirror): past the limit 503 at once;
// only answered work teaches the limiter. The real route runner and the real gradient limiter.
import { expect, test } from "bun:test";
import { type RouteDeps, type RouteSpec, routeRunner } from "../../src/http/route.ts";
import { createAdaptiveLimiter } from "../../src/overload/limiter.ts";
import { BlossomError } from "../../src/protocol/errors.ts";
import { routeDeps } from "../support/route-deps.ts";

function depsWith(limiter: ReturnType<typeof createAdaptiveLimiter>): RouteDeps {
  return routeDeps({ workLimiters: new Map([["PUT /work", limiter]]) });
}

const put = () => new Request("http://localhost/work", { method: "PUT" });

test("past the work limit a request gets 503 + Retry-After without running", async () => {
  const limiter = createAdaptiveLimiter({
    initialLimit: 1,
    minLimit: 1,
    maxLimit: 1,
    nowMs: () => 0,
  });
  let finish = () => {};
  let runs = 0;
  const spec: RouteSpec = {
    method: "PUT",
    path: "/work",
    name: "work",
    auth: "public",
    handle: async () => {
      runs++;
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      return new Response("done");
    },
  };
  const deps = depsWith(limiter);
  const first = routeRunner(spec, deps)(put(), {}, null);
  const refused = await routeRunner(spec, deps)(put(), {}, null);
  expect(refused.status).toBe(503);
  expect(refused.headers.get("retry-after")).toBe("1");
  expect(refused.headers.get("x-reason")).toBe("too many work jobs in progress, retry later");
  expect(runs).toBe(1);
  finish();
  expect((await first).status).toBe(200);
  expect(limiter.inFlight()).toBe(0);
});

test("fast refusals do not teach the limiter that work is quick", async () => {
  let nowMs = 0;
  const limiter = createAdaptiveLimiter({
    initialLimit: 10,
    minLimit: 1,
    maxLimit: 100,
    windowSize: 2,
    nowMs: () => nowMs,
  });
  const refusing: RouteSpec = {
    method: "PUT",
    path: "/work",
    name: "work",
    auth: "public",
    handle: () => {
      throw new BlossomError("unsupported_type", "not a media type");
    },
  };
  const deps = depsWith(limiter);
  for (let i = 0; i < 20; i++)
    expect((await routeRunner(refusing, deps)(put(), {}, null)).status).toBe(415);
  const slowWork: RouteSpec = {
    ...refusing,
    handle: () => {
      nowMs += 1_000; // every real job takes a second
      return new Response("done");
    },
  };
  for (let i = 0; i < 20; i++) await routeRunner(slowWork, deps)(put(), {}, null);
  // Had the 415s counted as 0 ms jobs, 1 s jobs would look 1000x slower and the limit would fall.
  expect(limiter.limit()).toBeGreaterThanOrEqual(10);
});
