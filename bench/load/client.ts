// The load generator, run as its own process pinned to core 0 by run.ts. It reads one job as
// JSON from argv, prepares everything (bodies, signed tokens) before the clock starts, runs it
// with a fixed number of keep-alive connections until the time or request cap, and prints the
// result as one JSON line.
import { schnorr } from "@noble/curves/secp256k1.js";
import { verifyTokenSignatureSync } from "../../src/protocol/auth-token.ts";
import { randomBlob, signToken, tokenEvent } from "../../test/support/nostr.ts";
import { type RawJob, runRaw } from "./raw-client.ts";
import { type LoadResult, summarise } from "./stats.ts";

export type ClientJob =
  | {
      kind: "fixed";
      url: string;
      method: "GET" | "HEAD";
      headers: Record<string, string>;
      connections: number;
      durationMs: number;
      maxRequests: number;
    }
  | { kind: "upload-small"; url: string; count: number; connections: number; auth: boolean }
  | { kind: "upload-big"; url: string; sizeBytes: number; auth: boolean }
  | { kind: "mixed"; url: string; users: number; iterations: number }
  | { kind: "verify-rate"; count: number }
  | ({ kind: "raw" } & RawJob)
  | { kind: "burst"; url: string; count: number; connections: number; durationMs: number };

type Attempt = () => Promise<boolean>;

/** `connections` loops sharing one queue of attempts; each attempt is one request. */
async function drive(
  attempts: Attempt[] | Attempt,
  connections: number,
  durationMs: number,
  maxRequests: number,
): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let errors = 0;
  let next = 0;
  const startedMs = performance.now();
  const deadlineMs = startedMs + durationMs;
  const take = () => {
    if (next >= maxRequests || performance.now() >= deadlineMs) return null;
    const attempt = Array.isArray(attempts) ? attempts[next] : attempts;
    next++;
    return attempt ?? null;
  };
  const loop = async () => {
    for (let attempt = take(); attempt !== null; attempt = take()) {
      const sentMs = performance.now();
      const ok = await attempt().catch(() => false);
      latenciesMs.push(performance.now() - sentMs);
      if (!ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  return summarise(latenciesMs, errors, (performance.now() - startedMs) / 1000, "fetch");
}

/** `okStatus` 200 also accepts 201: hanami answers a new upload with 201, the baseline with 200. */
async function request(url: string, init: RequestInit, okStatus: number): Promise<boolean> {
  const response = await fetch(url, init);
  await response.arrayBuffer();
  return response.status === okStatus || (okStatus === 200 && response.status === 201);
}

/** What runClient waits for: the job's preparation is done, its load starts now. */
export const READY_LINE = `${JSON.stringify({ ready: true })}\n`;

function announceReady(): void {
  process.stdout.write(READY_LINE);
}

function uploadAttempts(url: string, count: number, auth: boolean): Attempt[] {
  return Array.from({ length: count }, () => {
    const blob = randomBlob(1024);
    const headers: Record<string, string> = { "X-SHA-256": blob.sha256 };
    if (auth) headers.Authorization = signToken(testUser(0), { verb: "upload", x: [blob.sha256] });
    return () => request(`${url}/upload`, { method: "PUT", body: blob.bytes, headers }, 200);
  });
}

const users: { secretKey: Uint8Array; pubkey: string }[] = [];
function testUser(index: number) {
  while (users.length <= index) {
    const secretKey = schnorr.utils.randomSecretKey();
    users.push({ secretKey, pubkey: Buffer.from(schnorr.getPublicKey(secretKey)).toString("hex") });
  }
  return users[index] as (typeof users)[number];
}

/** One user's round: upload → get → list → delete, each token fresh (4 requests). */
function mixedRound(url: string, userIndex: number): Attempt[] {
  const user = testUser(userIndex);
  const blob = randomBlob(4096);
  const put = signToken(user, { verb: "upload", x: [blob.sha256] });
  const del = signToken(user, { verb: "delete", x: [blob.sha256] });
  return [
    () =>
      request(
        `${url}/upload`,
        { method: "PUT", body: blob.bytes, headers: { Authorization: put } },
        200,
      ),
    () => request(`${url}/${blob.sha256}`, {}, 200),
    () => request(`${url}/list/${user.pubkey}`, {}, 200),
    () =>
      request(`${url}/${blob.sha256}`, { method: "DELETE", headers: { Authorization: del } }, 204),
  ];
}

/** Each simulated user runs its rounds in order on its own connection. */
async function runMixed(url: string, userCount: number, iterations: number): Promise<LoadResult> {
  const perUser = Array.from({ length: userCount }, (_, index) =>
    Array.from({ length: Math.ceil(iterations / userCount) }, () => mixedRound(url, index)).flat(),
  );
  const latenciesMs: number[] = [];
  let errors = 0;
  announceReady();
  const startedMs = performance.now();
  await Promise.all(
    perUser.map(async (steps) => {
      for (const step of steps) {
        const sentMs = performance.now();
        if (!(await step().catch(() => false))) errors++;
        latenciesMs.push(performance.now() - sentMs);
      }
    }),
  );
  return summarise(latenciesMs, errors, (performance.now() - startedMs) / 1000, "fetch");
}

async function uploadBig(url: string, sizeBytes: number, auth: boolean) {
  const blob = randomBlob(sizeBytes);
  const headers: Record<string, string> = {};
  if (auth) headers.Authorization = signToken(testUser(0), { verb: "upload", x: [blob.sha256] });
  announceReady();
  const startedMs = performance.now();
  const ok = await request(`${url}/upload`, { method: "PUT", body: blob.bytes, headers }, 200);
  const seconds = (performance.now() - startedMs) / 1000;
  return { ok, seconds, mbPerSec: sizeBytes / 1e6 / seconds };
}

/** BIP-340 checks per second on this one core, over distinct events (no cache can help). */
function verifyRate(count: number) {
  const events = Array.from({ length: count }, (_, index) =>
    tokenEvent(testUser(0), { verb: "upload", x: [index.toString(16).padStart(64, "0")] }),
  );
  const startedMs = performance.now();
  for (const event of events) {
    if (!verifyTokenSignatureSync(event).ok) throw new Error("a fresh token failed to verify");
  }
  return { verifiesPerSec: count / ((performance.now() - startedMs) / 1000) };
}

/**
 * Fresh-token uploads as fast as `connections` loops allow, to fill the CPU pool (saturate.ts),
 * for `durationMs`. Tokens are signed first; a `{"ready":true}` line says the clock starts now.
 * When they run out they are sent again: most were shed unverified, so they still cost a check.
 * Counts every status and whether each 503 carried Retry-After.
 */
async function runBurst(job: Extract<ClientJob, { kind: "burst" }>) {
  const uploads = Array.from({ length: job.count }, () => {
    const blob = randomBlob(1024);
    const authorization = signToken(testUser(0), { verb: "upload", x: [blob.sha256] });
    return { blob, authorization };
  });
  announceReady();
  const statuses: Record<string, number> = {};
  let busyWithRetryAfter = 0;
  let next = 0;
  const startedMs = performance.now();
  const latenciesMs: number[] = [];
  const loop = async () => {
    while (performance.now() - startedMs < job.durationMs) {
      const { blob, authorization } = uploads[next++ % uploads.length] as (typeof uploads)[number];
      const sentMs = performance.now();
      const response = await fetch(`${job.url}/upload`, {
        method: "PUT",
        body: blob.bytes,
        headers: { Authorization: authorization },
      }).catch(() => null);
      await response?.arrayBuffer();
      latenciesMs.push(performance.now() - sentMs);
      const status = String(response?.status ?? "network error");
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (response?.status === 503 && response.headers.has("retry-after")) busyWithRetryAfter++;
    }
  };
  await Promise.all(Array.from({ length: job.connections }, loop));
  const result = summarise(latenciesMs, 0, (performance.now() - startedMs) / 1000, "fetch");
  return { ...result, statuses, busyWithRetryAfter };
}

async function runJob(job: ClientJob): Promise<unknown> {
  switch (job.kind) {
    case "fixed": {
      const init = { method: job.method, headers: job.headers };
      const ok = job.headers.Range === undefined ? 200 : 206;
      return drive(
        () => request(job.url, init, ok),
        job.connections,
        job.durationMs,
        job.maxRequests,
      );
    }
    case "upload-small": {
      const attempts = uploadAttempts(job.url, job.count, job.auth);
      announceReady();
      return drive(attempts, job.connections, Number.POSITIVE_INFINITY, job.count);
    }
    case "upload-big":
      return uploadBig(job.url, job.sizeBytes, job.auth);
    case "mixed":
      return runMixed(job.url, job.users, job.iterations);
    case "verify-rate":
      return verifyRate(job.count);
    case "raw":
      return runRaw(job);
    case "burst":
      return runBurst(job);
  }
}

if (import.meta.main) {
  const job = JSON.parse(process.argv[2] ?? "{}") as ClientJob;
  process.stdout.write(`${JSON.stringify(await runJob(job))}\n`);
}
