// One measured step against one server: the client process on core 0 (wrk or fetch), the
// server's memory and CPU sampled meanwhile.
import { type ClientJob, READY_LINE } from "./client.ts";
import { CLIENT_SCRIPT, type PinnedServer, pinned, sampleUsage, type Usage } from "./servers.ts";
import { type LoadResult, round } from "./stats.ts";
import { runWrk, type WrkJob } from "./wrk.ts";

export interface Measured<T> {
  readonly result: T;
  readonly usage: Usage;
}

/**
 * Runs one job in a client process on core 0; its last stdout line is the result. `onReady` is
 * called at its `{"ready":true}` line: what it prepared (signed tokens, bodies) is done.
 */
export async function runClient<T>(job: ClientJob, onReady?: () => void): Promise<T> {
  const proc = Bun.spawn(pinned(0, [process.execPath, CLIENT_SCRIPT, JSON.stringify(job)]), {
    stdout: "pipe",
    stderr: "pipe",
  });
  const readOutput = async () => {
    let output = "";
    for await (const chunk of proc.stdout.pipeThrough(new TextDecoderStream())) {
      const isReadyNow = !output.includes(READY_LINE) && `${output}${chunk}`.includes(READY_LINE);
      output += chunk;
      if (isReadyNow) onReady?.();
    }
    return output;
  };
  const [output, errors, code] = await Promise.all([
    readOutput(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(`load client failed (${code}): ${errors}`);
  return JSON.parse(output.trim().split("\n").at(-1) ?? "") as T;
}

/**
 * The server's memory and CPU while `work` runs. A client that prepares before it loads calls
 * `ready` (runClient's `onReady`): CPU is counted from there, memory throughout.
 */
export async function measure<T>(
  server: PinnedServer,
  work: (ready: () => void) => Promise<T>,
): Promise<Measured<T>> {
  Bun.gc(true);
  const sampler = sampleUsage(server.pid);
  const result = await work(() => sampler.restart());
  return { result, usage: sampler.stop() };
}

export type FixedJob = Omit<WrkJob, "url"> & {
  readonly path: string;
  readonly method: "GET" | "HEAD";
};

/** wrk 4.1 waits for a HEAD response's body, so HEAD goes through the raw socket client. */
function fastClient(job: FixedJob, url: string): Promise<LoadResult> {
  if (job.method !== "HEAD") return runWrk({ ...job, url });
  return runClient<LoadResult>({ kind: "raw", ...job, url, okStatus: 200 });
}

export function fixedLoad(server: PinnedServer, job: FixedJob, useWrk: boolean) {
  const url = `${server.url}${job.path}`;
  return measure<LoadResult>(server, () =>
    useWrk
      ? fastClient(job, url)
      : runClient<LoadResult>({ kind: "fixed", ...job, url, maxRequests: 1_000_000 }),
  );
}

export function describeUsage(usage: Usage) {
  return {
    peakRssMiB: round(usage.peakRssMiB),
    rssGrowthMiB: round(usage.peakRssMiB - usage.startRssMiB),
    cpuCores: round(usage.cpuCores, 2),
  };
}

export function describeLoad(result: LoadResult) {
  return {
    requestsPerSec: round(result.requestsPerSec),
    p50Ms: round(result.p50Ms),
    p99Ms: round(result.p99Ms),
    maxMs: round(result.maxMs),
    requests: result.requests,
    errors: result.errors,
    client: result.client,
  };
}
