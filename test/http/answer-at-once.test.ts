// A route's answerAtOnce: answered without an await, with the same request id, headers and
// outcome as any answer; undefined hands the request to `handle`.
import { expect, test } from "bun:test";
import { type RequestOutcome, type RouteSpec, routeRunner } from "../../src/http/route.ts";
import { routeDeps } from "../support/route-deps.ts";

function recordingDeps() {
  const outcomes: RequestOutcome[] = [];
  let next = 0;
  const deps = routeDeps({
    nextRequestId: (incoming) => incoming ?? `id-${next++}`,
    onRequestDone: (outcome) => outcomes.push(outcome),
  });
  return { deps, outcomes };
}

const spec = (answer: Response | undefined, handled: string[]): RouteSpec => ({
  method: "GET",
  path: "/:blob",
  name: "blob",
  auth: "public",
  answerAtOnce: () => answer,
  handle: () => {
    handled.push("handle");
    return new Response("from handle");
  },
});

test("an answer at once is a Response, not a promise, and is reported like any other", () => {
  const { deps, outcomes } = recordingDeps();
  const handled: string[] = [];
  const answer = new Response("hot", { headers: { "Content-Length": "3" } });
  const run = routeRunner(spec(answer, handled), deps);
  const response = run(
    new Request("http://localhost/x", { headers: { "x-request-id": "r1" } }),
    {},
    null,
  );
  expect(response).toBeInstanceOf(Response);
  expect((response as Response).headers.get("x-request-id")).toBe("r1");
  expect(handled).toEqual([]);
  expect(outcomes).toMatchObject([
    { route: "blob", method: "GET", status: 200, requestId: "r1", error: null, responseBytes: 3 },
  ]);
});

test("undefined hands the request to handle, whose answer gets the usual headers", async () => {
  const { deps, outcomes } = recordingDeps();
  const handled: string[] = [];
  const response = await routeRunner(spec(undefined, handled), deps)(
    new Request("http://localhost/x"),
    {},
    null,
  );
  expect(await response.text()).toBe("from handle");
  expect(response.headers.get("x-request-id")).toBe("id-0");
  expect(response.headers.get("access-control-allow-origin")).toBe("*");
  expect(handled).toEqual(["handle"]);
  expect(outcomes).toHaveLength(1);
});
