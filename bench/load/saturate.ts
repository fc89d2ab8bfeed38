// The CPU pool saturated: a burst of fresh-token uploads (every one a BIP-340 check) fills the
// pool while wrk measures GET of a small blob on the same server. GET p99 is measured alone
// first, then during the burst; the burst reports its statuses and how many 503s carried
// Retry-After (the target: GET p99 < 50 ms, the excess shed with 503 + Retry-After).
import type { Fixture } from "./seed.ts";
import { type PinnedServer, readPeakRssMiB } from "./servers.ts";
import { round } from "./stats.ts";
import { describeLoad, describeUsage, measure, runClient } from "./target.ts";
import { runWrk } from "./wrk.ts";

export interface SaturateOptions {
  readonly server: PinnedServer;
  readonly small: Fixture;
  readonly durationMs: number;
  readonly connections: number;
  readonly uploads: number;
  readonly uploadConnections: number;
}

interface BurstResult {
  readonly requestsPerSec: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly statuses: Record<string, number>;
  readonly busyWithRetryAfter: number;
}

/** Starts the burst client; resolves `ready` once its tokens are signed, `done` at its end. */
function startBurst(options: SaturateOptions) {
  const ready = Promise.withResolvers<void>();
  const done = runClient<BurstResult>(
    {
      kind: "burst",
      url: options.server.url,
      count: options.uploads,
      connections: options.uploadConnections,
      durationMs: options.durationMs,
    },
    ready.resolve,
  );
  done.catch(ready.reject);
  return { ready: ready.promise, done };
}

export async function saturate(options: SaturateOptions) {
  const get = {
    url: `${options.server.url}/${options.small.sha256}`,
    headers: {},
    connections: options.connections,
    durationMs: options.durationMs,
  };
  const alone = await measure(options.server, () => runWrk(get));
  const burst = startBurst(options);
  await burst.ready;
  const during = await measure(options.server, () => runWrk(get));
  const uploads = await burst.done;
  return {
    name: "saturate-pool",
    connections: options.connections,
    uploadConnections: options.uploadConnections,
    getAlone: { ...describeLoad(alone.result), ...describeUsage(alone.usage) },
    getDuringBurst: { ...describeLoad(during.result), ...describeUsage(during.usage) },
    burst: {
      requests: uploads.requests,
      requestsPerSec: round(uploads.requestsPerSec),
      p99Ms: round(uploads.p99Ms),
      statuses: uploads.statuses,
      busyWithRetryAfter: uploads.busyWithRetryAfter,
    },
    peakRssMiB: round(readPeakRssMiB(options.server.pid)),
  };
}
