// The load run: the compiled hanami and a bare Bun.serve baseline, both pinned to core 1, driven
// from core 0 (wrk when installed, else Bun's fetch), on 127.0.0.1 only. Bounded: every scenario
// has a time or a count cap. Writes bench/results/load-<time>.json and prints a summary.
//
//   bun bench/load/run.ts [--quick] [--only get-1k,list,…] [--adaptive] [--client fetch|wrk]
//                         [--p99-target-ms 5] [--connections 32] [--log-level info]
//                         [--log-requests all|failures] [--log-client-ip all|except-reads|none]
//                         [--memory-soft-limit <bytes>]
//                         [--binary dist/hanami] [--scale-blobs 100000] [--rounds 5]
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { randomBlob, signToken, testKeys } from "../../test/support/nostr.ts";
import { saturate } from "./saturate.ts";
import { scale } from "./scale.ts";
import {
  adaptive,
  getScenarios,
  mixed,
  type Row,
  type Setup,
  uploadBig,
  uploadSmall,
} from "./scenarios.ts";
import { seedBlobs } from "./seed.ts";
import { readPeakRssMiB, startPinned } from "./servers.ts";
import { round } from "./stats.ts";

const ROOT = resolve(import.meta.dir, "../..");

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string", default: "" },
    adaptive: { type: "boolean", default: false },
    client: { type: "string", default: Bun.which("wrk") === null ? "fetch" : "wrk" },
    "p99-target-ms": { type: "string", default: "5" },
    connections: { type: "string", default: "32" },
    "log-level": { type: "string", default: "info" },
    "log-requests": { type: "string", default: "all" },
    "log-client-ip": { type: "string" },
    "memory-soft-limit": { type: "string", default: "0" },
    binary: { type: "string", default: "dist/hanami" },
    "scale-blobs": { type: "string", default: "" },
    rounds: { type: "string", default: "" },
  },
});

const BINARY = resolve(ROOT, args.binary);

const say = (line: string) => process.stdout.write(`${line}\n`);

function machine() {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const meminfo = readFileSync("/proc/meminfo", "utf8");
  const git = (argv: string[]) =>
    Bun.spawnSync(["git", ...argv], { cwd: ROOT })
      .stdout.toString()
      .trim();
  return {
    nproc: navigator.hardwareConcurrency,
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? "unknown",
    memTotalMiB: round(Number(/MemTotal:\s+(\d+)/.exec(meminfo)?.[1] ?? 0) / 1024),
    bun: Bun.version,
    commit: `${git(["rev-parse", "--short", "HEAD"])}${git(["status", "--porcelain"]) === "" ? "" : "-dirty"}`,
    pinned: Bun.which("taskset") !== null && navigator.hardwareConcurrency >= 2,
  };
}

/** hanami's settings in every run: no free-space reserve, 300 MiB uploads, the chosen log level. */
function hanamiEnv(): Record<string, string> {
  return {
    HANAMI_STORAGE_RESERVE_FREE_BYTES: "0",
    // Every simulated user connects from 127.0.0.1: lift the per-client caps (the total cap on
    // uploads in progress stays at its default, as a server's would).
    HANAMI_UPLOAD_MAX_CONCURRENT_PER_CLIENT: "1024",
    HANAMI_AUTH_VERIFY_RATE_PER_CLIENT: "0",
    HANAMI_UPLOAD_MAX_BYTES: String(300 * 1024 * 1024),
    HANAMI_LOG_LEVEL: args["log-level"],
    HANAMI_LOG_REQUESTS: args["log-requests"],
    // Only when asked for: a build from before the setting refuses the variable.
    ...(args["log-client-ip"] === undefined ? {} : { HANAMI_LOG_CLIENT_IP: args["log-client-ip"] }),
    HANAMI_MEMORY_SOFT_LIMIT_BYTES: args["memory-soft-limit"],
  };
}

async function startServers(hanamiDir: string, baselineDir: string) {
  const hanami = await startPinned(
    "hanami",
    [BINARY, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", hanamiDir],
    hanamiEnv(),
    1,
  );
  const baselineScript = join(import.meta.dir, "baseline.ts");
  const baseline = await startPinned(
    "baseline",
    [process.execPath, baselineScript, baselineDir, "1000"],
    {},
    1,
  );
  return { hanami, baseline };
}

async function seedFixture(hanamiUrl: string, baselineDir: string, size: number) {
  const blob = randomBlob(size);
  const response = await fetch(`${hanamiUrl}/upload`, {
    method: "PUT",
    body: blob.bytes,
    headers: { Authorization: signToken(testKeys.alice, { verb: "upload", x: [blob.sha256] }) },
  });
  if (!response.ok) throw new Error(`seed: ${response.status} ${await response.text()}`);
  await writeFile(join(baselineDir, blob.sha256), blob.bytes);
  return { sha256: blob.sha256, size };
}

async function main() {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run \`bun scripts/build.ts\``);
  const work = await mkdtemp(join(tmpdir(), "hanami-load-"));
  const [hanamiDir, baselineDir, scratchDir] = ["hanami", "baseline", "scratch"].map((name) =>
    join(work, name),
  ) as [string, string, string];
  await Promise.all([hanamiDir, baselineDir, scratchDir].map((dir) => mkdir(dir)));
  const { hanami, baseline } = await startServers(hanamiDir, baselineDir);
  const rows: Row[] = [];
  try {
    const info = machine();
    say(`machine ${JSON.stringify(info)}`);
    say(`client ${args.client}; hanami started in ${round(hanami.startupMs)} ms`);
    const listPubkey = testKeys.bob.pubkey;
    await seedBlobs(hanami.url, null, testKeys.bob, 1000, 1024);
    const setup: Setup = {
      hanami,
      baseline,
      small: await seedFixture(hanami.url, baselineDir, 1024),
      large: await seedFixture(hanami.url, baselineDir, 1024 * 1024),
      listPubkey,
      durationMs: args.quick ? 1000 : 2000,
      rounds: Number(args.rounds || (args.quick ? 1 : 5)),
      connections: Number(args.connections),
      useWrk: args.client === "wrk",
      quick: args.quick,
      scratchDir,
    };
    const all: Record<string, () => Promise<Row>> = {
      ...getScenarios(setup),
      "upload-small": () => uploadSmall(setup),
      "upload-big": () => uploadBig(setup),
      mixed: () => mixed(setup),
      saturate: () =>
        saturate({
          server: hanami,
          small: setup.small,
          durationMs: args.quick ? 2000 : 5000,
          connections: setup.connections,
          uploads: args.quick ? 500 : 2000,
          uploadConnections: 256,
        }),
      scale: () =>
        scale({
          binary: BINARY,
          workDir: work,
          sizes: [1000, Number(args["scale-blobs"] || (args.quick ? 10_000 : 100_000))],
          env: hanamiEnv(),
          durationMs: setup.durationMs,
          connections: setup.connections,
          starts: args.quick ? 2 : 5,
        }),
      ...(args.adaptive ? { adaptive: () => adaptive(setup, Number(args["p99-target-ms"])) } : {}),
    };
    const wanted = args.only === "" ? Object.keys(all) : args.only.split(",");
    for (const name of wanted) {
      const scenario = all[name];
      if (scenario === undefined) throw new Error(`unknown scenario ${name}`);
      const row = await scenario();
      rows.push(row);
      say(JSON.stringify(row));
    }
    const command = `bun bench/load/run.ts ${process.argv.slice(2).join(" ")}`.trim();
    const report = {
      command,
      at: new Date().toISOString(),
      machine: info,
      startupMs: round(hanami.startupMs),
      peakRssMiB: round(readPeakRssMiB(hanami.pid)),
      rows,
    };
    await mkdir(join(ROOT, "bench/results"), { recursive: true });
    const out = join(ROOT, "bench/results", `load-${report.at.replace(/[:.]/g, "-")}.json`);
    await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
    say(`wrote ${out}`);
  } finally {
    await Promise.all([hanami.stop(), baseline.stop()]);
    await rm(work, { recursive: true, force: true });
  }
}

await main();
