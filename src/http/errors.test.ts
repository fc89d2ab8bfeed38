import { expect, test } from "bun:test";
import { BlossomError } from "../protocol/errors.ts";
import { createErrorResponder } from "./errors.ts";

const busy = (retryAfterSec: number) =>
  new BlossomError("busy", "too many uploads in progress, retry later", { retryAfterSec });

test("P-02: status, X-Reason, CORS and Retry-After; the reason is the body", async () => {
  const respond = createErrorResponder();
  const response = respond(busy(1), "PUT");
  expect(response.status).toBe(503);
  expect(response.headers.get("x-reason")).toBe("too many uploads in progress, retry later");
  expect(response.headers.get("retry-after")).toBe("1");
  expect(response.headers.get("access-control-allow-origin")).toBe("*");
  expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
  expect(await response.text()).toBe("too many uploads in progress, retry later");
});

test("a repeated answer's headers are its own: changing one response changes no other", () => {
  const respond = createErrorResponder();
  const first = respond(busy(1), "PUT");
  first.headers.set("X-Request-Id", "first");
  first.headers.set("Connection", "close");
  const second = respond(busy(1), "PUT");
  expect(second.headers.get("x-request-id")).toBeNull();
  expect(second.headers.get("connection")).toBeNull();
  expect(second.headers.get("retry-after")).toBe("1");
});

test("answers that differ only in Retry-After, method or code do not share headers", () => {
  const respond = createErrorResponder();
  expect(respond(busy(1), "PUT").headers.get("retry-after")).toBe("1");
  expect(respond(busy(7), "PUT").headers.get("retry-after")).toBe("7");
  const head = respond(busy(1), "HEAD");
  expect(head.body).toBeNull();
  expect(head.headers.get("content-type")).toBeNull();
  const required = respond(new BlossomError("auth_required", "authorization required"), "PUT");
  expect(required.headers.get("www-authenticate")).toBe("Nostr"); // P-11
  const limited = respond(new BlossomError("rate_limited", "authorization required"), "PUT");
  expect(limited.status).toBe(429);
  expect(limited.headers.get("www-authenticate")).toBeNull();
});

test("a 416 carries its blob's size and a 405 its methods, each its own", () => {
  const respond = createErrorResponder();
  const range = (blobSize: number) =>
    respond(new BlossomError("range_not_satisfiable", "range", { blobSize }), "GET");
  expect(range(10).headers.get("content-range")).toBe("bytes */10");
  expect(range(20).headers.get("content-range")).toBe("bytes */20");
  const allow = (methods: string[]) =>
    respond(new BlossomError("method_not_allowed", "no", { allow: methods }), "POST");
  expect(allow(["GET"]).headers.get("allow")).toBe("GET");
  expect(allow(["PUT", "HEAD"]).headers.get("allow")).toBe("PUT, HEAD");
});

test("past the bound of kept answers, each reason still gets its own X-Reason", () => {
  const respond = createErrorResponder();
  for (let round = 0; round < 2; round++) {
    for (let index = 0; index < 600; index++) {
      const response = respond(new BlossomError("not_found", `blob ${index} not found`), "GET");
      expect(response.headers.get("x-reason")).toBe(`blob ${index} not found`);
    }
  }
});
