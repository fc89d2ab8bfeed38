// Does the index size matter? Two data dirs seeded without HTTP (seed-index.ts), 1,000 and
// 100,000 blobs, each served by the binary in turn: start-up (spawn → first answered request,
// several starts), GET of random hashes across the whole index (wrk + a Lua path picker), GET of
// one hot hash, and the same /list queries of one pubkey that owns 1,000 blobs in both. Peak RSS
// of each server. hanami only: the comparison is one index size against the other.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { seedIndex } from "./seed-index.ts";
import { type PinnedServer, readPeakRssMiB, startPinned } from "./servers.ts";
import { round } from "./stats.ts";
import { describeLoad, describeUsage, fixedLoad, measure } from "./target.ts";
import { runWrk } from "./wrk.ts";

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

function start(options: ScaleOptions, dataDir: string): Promise<PinnedServer> {
  const argv = [options.binary, "serve", "--host", "127.0.0.1", "--port", "0"];
  return startPinned("hanami", [...argv, "--data-dir", dataDir], options.env, 1);
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
  const server = await start(options, dataDir);
  try {
    const base = { durationMs: options.durationMs, connections: options.connections, headers: {} };
    const wrk = async (path: string, connections: number, withScript?: string) => {
      const job = { ...base, connections, url: `${server.url}${path}` };
      const run = await measure(server, () =>
        runWrk(withScript === undefined ? job : { ...job, script: withScript }),
      );
      return { ...describeLoad(run.result), ...describeUsage(run.usage) };
    };
    const hot = seeded.hashes[0] as string;
    const cursor = seeded.hashes[LIST_OWNER_BLOBS / 2] as string;
    const listBase = `/list/${LIST_OWNER}`;
    return {
      blobs,
      seedSec: round(seeded.seedMs / 1000),
      startupMs: starts,
      getRandom: await wrk("/", options.connections, script),
      getHot: await fixedLoad(server, { ...base, method: "GET", path: `/${hot}` }, true).then(
        (run) => ({ ...describeLoad(run.result), ...describeUsage(run.usage) }),
      ),
      list1000: await wrk(`${listBase}?limit=1000`, 8),
      listFirstPage100: await wrk(`${listBase}?limit=100`, 8),
      listCursorPage100: await wrk(`${listBase}?limit=100&cursor=${cursor}`, 8),
      peakRssMiB: round(readPeakRssMiB(server.pid)),
    };
  } finally {
    await server.stop();
  }
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
      getHot: ratioOf(last.getHot.p99Ms, first.getHot.p99Ms),
      list1000: ratioOf(last.list1000.p99Ms, first.list1000.p99Ms),
      listFirstPage100: ratioOf(last.listFirstPage100.p99Ms, first.listFirstPage100.p99Ms),
      listCursorPage100: ratioOf(last.listCursorPage100.p99Ms, first.listCursorPage100.p99Ms),
    },
  };
}
