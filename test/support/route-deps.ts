// RouteDeps for tests of the route runner: real limiters and buckets, no signature checks.
import { createErrorResponder } from "../../src/http/errors.ts";
import type { RouteDeps } from "../../src/http/route.ts";
import { createAdaptiveLimiter } from "../../src/overload/limiter.ts";
import { createTokenBuckets } from "../../src/overload/token-bucket.ts";
import { createUploadSlots } from "../../src/overload/upload-slots.ts";

export function routeDeps(overrides: Partial<RouteDeps> = {}): RouteDeps {
  return {
    auth: { serverNames: [], clockSkewSec: 60, nowSec: () => 0, verifySignature: async () => true },
    authLimiter: createAdaptiveLimiter({
      initialLimit: 8,
      minLimit: 1,
      maxLimit: 8,
      nowMs: () => 0,
    }),
    uploadSlots: createUploadSlots({ total: 100, perClient: 100 }),
    workLimiters: new Map(),
    verifyBuckets: createTokenBuckets({ ratePerSec: 0, burst: 1, maxClients: 1, nowMs: () => 0 }),
    trustedProxies: [],
    nextRequestId: () => "test",
    onRequestDone: () => undefined,
    errorResponse: createErrorResponder(),
    nowMs: () => performance.now(),
    ...overrides,
  };
}
