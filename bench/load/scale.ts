// Does the index size matter? Two data dirs seeded without HTTP (seed-index.ts), 1,000 and
// 100,000 blobs, each served by the binary in turn: start-up (spawn → first answered request,
// several starts), GET of random hashes across the whole index (wrk + a Lua path picker), GET of
// one hot hash, and the same /list queries of one pubkey that owns 1,000 blobs in both. Peak RSS
// of each server. Then random GETs again from a server without the blob cache: at 1,000 blobs
// the cache holds every one, so only this pair compares lookups (index row, file) alike.
// hanami only: the comparison is one index size against the other.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { seedIndex } from "./seed-index.ts";
import { type PinnedServer, readPeakRssMiB, startPinned } from "./servers.ts";
import { round } from "./stats.ts";
import { describeLoad, describeUsage, fixedLoad, measure } from "./target.ts";
import { runWrk, type WrkJob } from "./wrk.ts";

export interface ScaleOptions {
  readonly binary: string;
  readonly workDir: string;
  readonly sizes: readonly number[];
  readonly env: Record<string, string>;
  readonly durationMs: number;
  readonly connections: number;
  readonly starts: number;
}

const LIST_OWNER = "b".repeat(64);
const BULK_OWNER = "c".repeat(64);
const LIST_OWNER_BLOBS = 1000;
/** More than the 10,000 hot rows and hot blobs: at 100,000 most random GETs miss both caches. */
const RANDOM_PATHS = 50_000;

/** A Lua script that asks for a random one of `hashes`, spread over the whole index. */
async function randomPathScript(dir: string, hashes: readonly string[]): Promise<string> {
  const step = Math.max(1, Math.floor(hashes.length / RANDOM_PATHS));
  const picked = hashes.filter((_, index) => index % step === 0).slice(0, RANDOM_PATHS);
  const path = join(dir, "random-get.lua");
  await writeFile(
    path,
    `local paths = {${picked.map((sha256) => `"/${sha256}"`).join(",")}}\n` +
      `request = function() return wrk.format("GET", paths[math.random(#paths)]) end\n`,
  );
  return path;
}

function start(
  options: ScaleOptions,
  dataDir: string,
  env: Record<string, string> = {},
): Promise<PinnedServer> {
  const argv = [options.binary, "serve", "--host", "127.0.0.1", "--port", "0"];
  return startPinned("hanami", [...argv, "--data-dir", dataDir], { ...options.env, ...env }, 1);
}

type Load = Omit<WrkJob, "url"> & { readonly path: string };

async function wrkOn(server: PinnedServer, { path, ...job }: Load) {
  const run = await measure(server, () => runWrk({ ...job, url: `${server.url}${path}` }));
  return { ...describeLoad(run.result), ...describeUsage(run.usage) };
}

/** Random GETs from a server that keeps no hot blob (neither bytes nor file handle). */
async function getRandomUncached(options: ScaleOptions, dataDir: string, load: Load) {
  const server = await start(options, dataDir, { HANAMI_BLOB_CACHE_MAX_ENTRIES: "0" });
  try {
    return await wrkOn(server, load);
  } finally {
    await server.stop();
  }
}

async function startupMs(options: ScaleOptions, dataDir: string): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < options.starts; run++) {
    const server = await start(options, dataDir);
    times.push(round(server.startupMs));
    await server.stop();
  }
  return times;
}

async function measureSize(options: ScaleOptions, blobs: number) {
  const dataDir = join(options.workDir, `scale-${blobs}`);
  await mkdir(dataDir, { recursive: true });
  const seeded = await seedIndex({
    dataDir,
    blobs,
    listOwner: LIST_OWNER,
    listOwnerCount: LIST_OWNER_BLOBS,
    bulkOwner: BULK_OWNER,
  });
  const starts = await startupMs(options, dataDir);
  const script = await randomPathScript(dataDir, seeded.hashes);
  const base = { durationMs: options.durationMs, connections: options.connections, headers: {} };
  const randomGets = { ...base, path: "/", script };
  const server = await start(options, dataDir);
  const measured = await (async () => {
    try {
      const hot = seeded.hashes[0] as string;
      const cursor = seeded.hashes[LIST_OWNER_BLOBS / 2] as string;
      const listBase = `/list/${LIST_OWNER}`;
      const list = (query: string) =>
        wrkOn(server, { ...base, connections: 8, path: listBase + query });
      return {
        blobs,
        seedSec: round(seeded.seedMs / 1000),
        startupMs: starts,
        getRandom: await wrkOn(server, randomGets),
        getHot: await fixedLoad(server, { ...base, method: "GET", path: `/${hot}` }, true).then(
          (run) => ({ ...describeLoad(run.result), ...describeUsage(run.usage) }),
        ),
        list1000: await list("?limit=1000"),
        listFirstPage100: await list("?limit=100"),
        listCursorPage100: await list(`?limit=100&cursor=${cursor}`),
        peakRssMiB: round(readPeakRssMiB(server.pid)),
      };
    } finally {
      await server.stop();
    }
  })();
  return { ...measured, getRandomUncached: await getRandomUncached(options, dataDir, randomGets) };
}

const ratioOf = (large: number, small: number) => round(large / small);

export async function scale(options: ScaleOptions) {
  const results = [];
  for (const blobs of options.sizes) results.push(await measureSize(options, blobs));
  const [first, last] = [results[0], results.at(-1)];
  if (first === undefined || last === undefined) throw new Error("scale needs at least one size");
  return {
    name: "scale",
    results,
    // > 1 means slower at the larger index; the target is ≤ 2 for lookups and list pages.
    p99LargeOverSmall: {
      getRandom: ratioOf(last.getRandom.p99Ms, first.getRandom.p99Ms),
      getRandomUncached: ratioOf(last.getRandomUncached.p99Ms, first.getRandomUncached.p99Ms),
      getHot: ratioOf(last.getHot.p99Ms, first.getHot.p99Ms),
      list1000: ratioOf(last.list1000.p99Ms, first.list1000.p99Ms),
      listFirstPage100: ratioOf(last.listFirstPage100.p99Ms, first.listFirstPage100.p99Ms),
      listCursorPage100: ratioOf(last.listCursorPage100.p99Ms, first.listCursorPage100.p99Ms),
    },
    // The same as cost: requests per second at the smaller index over those at the larger.
    rateSmallOverLarge: {
      getRandom: ratioOf(first.getRandom.requestsPerSec, last.getRandom.requestsPerSec),
      getRandomUncached: ratioOf(
        first.getRandomUncached.requestsPerSec,
        last.getRandomUncached.requestsPerSec,
      ),
      getHot: ratioOf(first.getHot.requestsPerSec, last.getHot.requestsPerSec),
      list1000: ratioOf(first.list1000.requestsPerSec, last.list1000.requestsPerSec),
      listFirstPage100: ratioOf(
        first.listFirstPage100.requestsPerSec,
        last.listFirstPage100.requestsPerSec,
      ),
      listCursorPage100: ratioOf(
        first.listCursorPage100.requestsPerSec,
        last.listCursorPage100.requestsPerSec,
      ),
    },
  };
}
