// wrk (when installed) for the fixed-request scenarios: one thread on the client core, so the
// client costs less than Bun's fetch and the server is the bottleneck. Parses `--latency`.

import { pinned } from "./servers.ts";
import type { LoadResult } from "./stats.ts";

export interface WrkJob {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly connections: number;
  readonly durationMs: number;
  /** A wrk Lua script, e.g. one that picks a random path per request (scale.ts). */
  readonly script?: string;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (match === null) return Number.NaN;
  return Number(match[1]) * (UNIT_MS[match[2] as string] ?? Number.NaN);
}

function parseWrk(output: string, durationSec: number): LoadResult {
  const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    output,
  );
  const socketErrors = socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0);
  const latencyLine = /Latency\s+(\S+)\s+(\S+)\s+(\S+)/.exec(output);
  return {
    requests,
    errors: non2xx + socketErrors,
    durationSec,
    requestsPerSec: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0),
    p50Ms: toMs(/ 50%\s+(\S+)/.exec(output)?.[1] ?? ""),
    p99Ms: toMs(/ 99%\s+(\S+)/.exec(output)?.[1] ?? ""),
    maxMs: toMs(latencyLine?.[3] ?? ""),
    client: "wrk",
  };
}

export async function runWrk(job: WrkJob): Promise<LoadResult> {
  const wrk = Bun.which("wrk");
  if (wrk === null) throw new Error("wrk not installed");
  const headerArgs = Object.entries(job.headers).flatMap(([name, value]) => [
    "-H",
    `${name}: ${value}`,
  ]);
  const durationSec = Math.max(1, Math.round(job.durationMs / 1000));
  const argv = [
    wrk,
    "-t1",
    `-c${job.connections}`,
    `-d${durationSec}s`,
    "--latency",
    ...(job.script === undefined ? [] : ["-s", job.script]),
    ...headerArgs,
    job.url,
  ];
  const proc = Bun.spawn(pinned(0, argv), {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const output = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0)
    throw new Error(`wrk failed: ${await new Response(proc.stderr).text()}`);
  return parseWrk(output, durationSec);
}
