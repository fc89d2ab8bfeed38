// Two servers at once on the same core, each driven by its own client on the client core: the
// host's noise falls on both alike, so server CPU per request tells two builds (or two settings)
// apart to about 2 %, where the rates of separate runs move by 20 % here (docs/PERFORMANCE.md).
// Writes bench/results/ab-<time>.json and prints each round's CPU per request and B ÷ A.
//
//   bun bench/load/ab.ts --a dist/hanami-before --b dist/hanami [--a-env K=V …] [--b-env K=V …]
//                        [--scenario head|get|upload|refused|cold] [--rounds 5] [--seconds 3]
//                        [--uploads 1500] [--blobs 20000]
//
// `refused` sends PUT /upload with a 1 KiB body and no token: each is refused with 401 on the
// path a shed upload takes (slot, auth, error response, a failure's request line). `cold` seeds
// `--blobs` 64-byte blobs in each side's data dir (bench/load/seed-index.ts) and GETs random ones:
// past the 10,000 hot rows and 3,000 hot blobs, most reads miss both caches.
//
// `--a baseline` (or `--b baseline`) is the bare Bun.serve of bench/load/baseline.ts serving one
// 1 KiB file, for head and get.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { testKeys } from "../../test/support/nostr.ts";
import type { ClientJob } from "./client.ts";
import { seedBlobs } from "./seed.ts";
import { seedIndex } from "./seed-index.ts";
import { cpuSeconds, type PinnedServer, startPinned } from "./servers.ts";
import type { LoadResult } from "./stats.ts";
import { round } from "./stats.ts";
import { runClient } from "./target.ts";

const ROOT = resolve(import.meta.dir, "../..");
const BASELINE = "baseline";
const SERVER_CORE = 1;
const CONNECTIONS = 32;

const { values: args } = parseArgs({
  options: {
    a: { type: "string" },
    b: { type: "string" },
    "a-env": { type: "string", multiple: true, default: [] },
    "b-env": { type: "string", multiple: true, default: [] },
    scenario: { type: "string", default: "head" },
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "3" },
    uploads: { type: "string", default: "1500" },
    blobs: { type: "string", default: "20000" },
  },
});

const scenario = args.scenario;
if (!["head", "get", "upload", "refused", "cold"].includes(scenario)) {
  throw new Error(`--scenario is head, get, upload, refused or cold, not ${scenario}`);
}
if (args.a === undefined || args.b === undefined) throw new Error("--a and --b are required");

interface Side {
  readonly label: string;
  readonly server: PinnedServer;
  /** The path every head or get asks for. */
  readonly path: string;
  /** For cold: a file of the seeded blobs' paths, one a line. */
  readonly pathsFile?: string;
  readonly dir: string;
}

function envOf(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf("=");
      if (at <= 0) throw new Error(`expected K=V, got ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

async function startSide(name: string, target: string, env: string[]): Promise<Side> {
  const dir = await mkdtemp(join(tmpdir(), `hanami-ab-${name}-`));
  const label = [target, ...env].join(" ");
  if (target === BASELINE) {
    if (scenario === "upload" || scenario === "refused" || scenario === "cold") {
      throw new Error("the baseline has no auth: compare hanami builds");
    }
    const sha256 = "1".repeat(64);
    await writeFile(join(dir, sha256), new Uint8Array(1024));
    const argv = [process.execPath, join(ROOT, "bench/load/baseline.ts"), dir, "0"];
    const server = await startPinned(name, argv, envOf(env), SERVER_CORE);
    return { label, server, path: `/${sha256}`, dir };
  }
  await mkdir(join(dir, "data"));
  const pathsFile = scenario === "cold" ? await seedCold(dir) : undefined;
  const argv = [resolve(ROOT, target), "serve", "--host", "127.0.0.1", "--port", "0"];
  const server = await startPinned(
    name,
    [...argv, "--data-dir", join(dir, "data")],
    {
      HANAMI_STORAGE_RESERVE_FREE_BYTES: "0",
      HANAMI_UPLOAD_MAX_CONCURRENT_PER_CLIENT: "1024",
      HANAMI_AUTH_VERIFY_RATE_PER_CLIENT: "0",
      ...envOf(env),
    },
    SERVER_CORE,
  );
  const [blob] = await seedBlobs(server.url, null, testKeys.alice, 1, 1024);
  return { label, server, path: `/${blob?.sha256}`, dir, ...(pathsFile ? { pathsFile } : {}) };
}

/** Seeds `--blobs` blobs into `dir`/data without HTTP; returns the file of their paths. */
async function seedCold(dir: string): Promise<string> {
  const { hashes } = await seedIndex({
    dataDir: join(dir, "data"),
    blobs: Number(args.blobs),
    listOwner: "b".repeat(64),
    listOwnerCount: 0,
    bulkOwner: "c".repeat(64),
  });
  const pathsFile = join(dir, "paths.txt");
  await writeFile(pathsFile, hashes.map((sha256) => `/${sha256}\n`).join(""));
  return pathsFile;
}

function jobFor(side: Side): ClientJob {
  if (scenario === "upload") {
    const count = Number(args.uploads);
    return {
      kind: "upload-small",
      url: side.server.url,
      count,
      connections: CONNECTIONS,
      auth: true,
    };
  }
  const durationMs = Number(args.seconds) * 1000;
  if (scenario === "refused") {
    const url = `${side.server.url}/upload`;
    return {
      kind: "raw",
      url,
      method: "PUT",
      headers: {},
      bodyBytes: 1024,
      connections: CONNECTIONS,
      durationMs,
      okStatus: 401,
    };
  }
  return {
    kind: "raw",
    url: `${side.server.url}${side.path}`,
    ...(side.pathsFile ? { pathsFile: side.pathsFile } : {}),
    method: scenario === "head" ? "HEAD" : "GET",
    headers: {},
    connections: CONNECTIONS,
    durationMs,
    okStatus: 200,
  };
}

/** Server CPU microseconds per request, counted from the client's ready line (tokens signed). */
async function cpuPerRequest(
  side: Side,
): Promise<{ us: number; requests: number; errors: number }> {
  let startSec = cpuSeconds(side.server.pid);
  const result = await runClient<LoadResult>(jobFor(side), () => {
    startSec = cpuSeconds(side.server.pid);
  });
  const us = ((cpuSeconds(side.server.pid) - startSec) * 1e6) / result.requests;
  return { us: round(us), requests: result.requests, errors: result.errors };
}

const median = (values: number[]) =>
  [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? 0;

const sides = [
  await startSide("a", args.a, args["a-env"]),
  await startSide("b", args.b, args["b-env"]),
] as const;
const rounds: Array<{ a: number; b: number; bOverA: number; requests: number[] }> = [];
try {
  for (let index = 0; index < Number(args.rounds); index++) {
    const [a, b] = await Promise.all(sides.map(cpuPerRequest));
    if (a === undefined || b === undefined) throw new Error("a side gave no result");
    if (a.errors + b.errors > 0) throw new Error(`errors: a ${a.errors}, b ${b.errors}`);
    const row = {
      a: a.us,
      b: b.us,
      bOverA: round(b.us / a.us),
      requests: [a.requests, b.requests],
    };
    rounds.push(row);
    console.log(
      `round ${index + 1}: A ${a.us} µs/request, B ${b.us} µs/request, B/A ${row.bOverA}`,
    );
  }
} finally {
  for (const side of sides) {
    await side.server.stop();
    await rm(side.dir, { recursive: true, force: true });
  }
}

const ratios = rounds.map((row) => row.bOverA);
const summary = {
  scenario,
  a: sides[0].label,
  b: sides[1].label,
  medianBOverA: median(ratios),
  bOverARange: [Math.min(...ratios), Math.max(...ratios)],
  rounds,
};
const file = join(
  ROOT,
  "bench/results",
  `ab-${new Date().toISOString().replace(/[:.]/g, "-")}.json`,
);
await mkdir(join(ROOT, "bench/results"), { recursive: true });
await writeFile(file, `${JSON.stringify(summary, null, 2)}\n`);
console.log(JSON.stringify({ ...summary, rounds: undefined, file }));
