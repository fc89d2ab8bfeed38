// The scenarios of the load run. Each runs hanami and the bare Bun.serve baseline with the same
// client and returns one JSON-ready row; `ratio` is hanami ÷ baseline (higher is better).
import { open, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Fixture } from "./seed.ts";
import type { PinnedServer } from "./servers.ts";
import { type LoadResult, round } from "./stats.ts";
import {
  describeLoad,
  describeUsage,
  type FixedJob,
  fixedLoad,
  measure,
  runClient,
} from "./target.ts";

export interface Setup {
  readonly hanami: PinnedServer;
  readonly baseline: PinnedServer;
  readonly small: Fixture;
  readonly large: Fixture;
  readonly listPubkey: string;
  readonly durationMs: number;
  /** How many times the fixed scenarios alternate hanami and the baseline. */
  readonly rounds: number;
  readonly connections: number;
  readonly useWrk: boolean;
  readonly quick: boolean;
  readonly scratchDir: string;
}

export type Row = Record<string, unknown> & { readonly name: string };

/** The middle value; for an even count the lower of the two middle ones. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

/**
 * hanami, then the baseline, `setup.rounds` times in turn: on a shared machine the load of other
 * work drifts, and a ratio of two steps taken seconds apart carries that drift. The ratio is the
 * median of the rounds' ratios; the rows shown are those of that median round.
 */
async function compareFixed(setup: Setup, name: string, job: FixedJob, hanamiPath = job.path) {
  const rounds = [];
  for (let round = 0; round < setup.rounds; round++) {
    const hanami = await fixedLoad(setup.hanami, { ...job, path: hanamiPath }, setup.useWrk);
    const baseline = await fixedLoad(setup.baseline, job, setup.useWrk);
    rounds.push({
      hanami,
      baseline,
      ratio: hanami.result.requestsPerSec / baseline.result.requestsPerSec,
    });
  }
  const middle = median(rounds.map((r) => r.ratio));
  const { hanami, baseline } =
    rounds.find((r) => r.ratio === middle) ?? (rounds[0] as (typeof rounds)[number]);
  return {
    name,
    connections: job.connections,
    ratio: round(middle),
    roundRatios: rounds.map((r) => round(r.ratio)),
    hanami: { ...describeLoad(hanami.result), ...describeUsage(hanami.usage) },
    baseline: { ...describeLoad(baseline.result), ...describeUsage(baseline.usage) },
  };
}

export function getScenarios(setup: Setup): Record<string, () => Promise<Row>> {
  const base = { durationMs: setup.durationMs, connections: setup.connections, headers: {} };
  const small = `/${setup.small.sha256}`;
  const large = `/${setup.large.sha256}`;
  return {
    "get-1k": () => compareFixed(setup, "get-1k", { ...base, method: "GET", path: small }),
    "head-1k": () => compareFixed(setup, "head-1k", { ...base, method: "HEAD", path: small }),
    "get-1m": () => compareFixed(setup, "get-1m", { ...base, method: "GET", path: large }),
    range: () =>
      compareFixed(setup, "range-64k-of-1m", {
        ...base,
        method: "GET",
        path: large,
        headers: { Range: "bytes=65536-131071" },
      }),
    list: () =>
      compareFixed(
        setup,
        "list-1000",
        { ...base, connections: 8, method: "GET", path: "/list/baseline" },
        `/list/${setup.listPubkey}?limit=1000`,
      ),
  };
}

/** The one-core BIP-340 rate, then fresh-token uploads of 1 KiB; the target is ≥ 1.6× that rate. */
export async function uploadSmall(setup: Setup): Promise<Row> {
  const count = setup.quick ? 600 : 3000;
  const { verifiesPerSec } = await runClient<{ verifiesPerSec: number }>({
    kind: "verify-rate",
    count: setup.quick ? 300 : 1000,
  });
  const job = { kind: "upload-small", count, connections: setup.connections } as const;
  const hanami = await measure(setup.hanami, (ready) =>
    runClient<LoadResult>({ ...job, url: setup.hanami.url, auth: true }, ready),
  );
  const baseline = await measure(setup.baseline, (ready) =>
    runClient<LoadResult>({ ...job, url: setup.baseline.url, auth: false }, ready),
  );
  return {
    name: "upload-1k-fresh-token",
    connections: setup.connections,
    oneCoreVerifiesPerSec: round(verifiesPerSec),
    ratioToVerifyRate: round(hanami.result.requestsPerSec / verifiesPerSec),
    ratioToUnauthenticatedBaseline: round(
      hanami.result.requestsPerSec / baseline.result.requestsPerSec,
    ),
    hanami: { ...describeLoad(hanami.result), ...describeUsage(hanami.usage) },
    baseline: { ...describeLoad(baseline.result), ...describeUsage(baseline.usage) },
  };
}

/** Raw speed of the same machine: write + fsync of `sizeBytes`, then SHA-256 of as many. */
async function diskAndHashMBps(dir: string, sizeBytes: number) {
  const chunk = new Uint8Array(1024 * 1024);
  crypto.getRandomValues(chunk.subarray(0, 65536));
  const path = join(dir, "raw-write-probe");
  let startedMs = performance.now();
  const handle = await open(path, "w");
  for (let written = 0; written < sizeBytes; written += chunk.byteLength) await handle.write(chunk);
  await handle.sync();
  await handle.close();
  const writeMBps = sizeBytes / 1e6 / ((performance.now() - startedMs) / 1000);
  await rm(path, { force: true });
  startedMs = performance.now();
  const hasher = new Bun.CryptoHasher("sha256");
  for (let hashed = 0; hashed < sizeBytes; hashed += chunk.byteLength) hasher.update(chunk);
  hasher.digest();
  const sha256MBps = sizeBytes / 1e6 / ((performance.now() - startedMs) / 1000);
  return { writeMBps, sha256MBps, bothSequentialMBps: 1 / (1 / writeMBps + 1 / sha256MBps) };
}

export async function uploadBig(setup: Setup): Promise<Row> {
  const sizeBytes = (setup.quick ? 32 : 256) * 1024 * 1024;
  const raw = await diskAndHashMBps(setup.scratchDir, sizeBytes);
  type Big = { ok: boolean; seconds: number; mbPerSec: number };
  const job = { kind: "upload-big", sizeBytes } as const;
  const hanami = await measure(setup.hanami, (ready) =>
    runClient<Big>({ ...job, url: setup.hanami.url, auth: true }, ready),
  );
  const baseline = await measure(setup.baseline, (ready) =>
    runClient<Big>({ ...job, url: setup.baseline.url, auth: false }, ready),
  );
  return {
    name: `upload-${sizeBytes / 1024 / 1024}m`,
    ratio: round(hanami.result.mbPerSec / baseline.result.mbPerSec),
    ratioToRawWriteAndHash: round(hanami.result.mbPerSec / raw.bothSequentialMBps),
    raw: {
      writeMBps: round(raw.writeMBps),
      sha256MBps: round(raw.sha256MBps),
      bothSequentialMBps: round(raw.bothSequentialMBps),
    },
    hanami: {
      ok: hanami.result.ok,
      mbPerSec: round(hanami.result.mbPerSec),
      ...describeUsage(hanami.usage),
    },
    baseline: {
      ok: baseline.result.ok,
      mbPerSec: round(baseline.result.mbPerSec),
      ...describeUsage(baseline.usage),
    },
  };
}

/** Many users, each upload → get → list → delete with fresh tokens; hanami only (needs auth). */
export async function mixed(setup: Setup): Promise<Row> {
  const users = setup.connections;
  const iterations = setup.quick ? 128 : 640;
  const run = await measure(setup.hanami, (ready) =>
    runClient<LoadResult>({ kind: "mixed", url: setup.hanami.url, users, iterations }, ready),
  );
  return {
    name: "mixed-workflow",
    users,
    rounds: iterations,
    roundsPerSec: round(run.result.requestsPerSec / 4),
    hanami: { ...describeLoad(run.result), ...describeUsage(run.usage) },
  };
}

/** Doubles the connections until p99 crosses the target; the last rate under it is the answer. */
export async function adaptive(setup: Setup, p99TargetMs: number): Promise<Row> {
  const climb = async (server: PinnedServer) => {
    const steps: { connections: number; requestsPerSec: number; p99Ms: number }[] = [];
    let best = { connections: 0, requestsPerSec: 0, p99Ms: 0 };
    for (let connections = 1; connections <= 1024; connections *= 2) {
      const job = { method: "GET", path: `/${setup.small.sha256}`, headers: {} } as const;
      const run = await fixedLoad(
        server,
        { ...job, connections, durationMs: Math.min(setup.durationMs, 2000) },
        setup.useWrk,
      );
      const step = {
        connections,
        requestsPerSec: round(run.result.requestsPerSec),
        p99Ms: round(run.result.p99Ms),
      };
      steps.push(step);
      if (step.p99Ms > p99TargetMs || run.result.errors > 0) break;
      if (step.requestsPerSec > best.requestsPerSec) best = step;
    }
    return { best, steps };
  };
  const hanami = await climb(setup.hanami);
  const baseline = await climb(setup.baseline);
  return {
    name: "adaptive-get-1k",
    p99TargetMs,
    ratio: round(hanami.best.requestsPerSec / baseline.best.requestsPerSec),
    hanami,
    baseline,
  };
}
