// The process metrics of Prometheus's client libraries, under the names of client_golang's process
// collector, so the usual dashboards and alerts on memory, CPU and file descriptors work as they
// are; and the main thread's JavaScript heap, which tells the engine's share of resident memory
// from native memory (buffers, SQLite, the pool workers' heaps, the binary's code); and which
// build is running, as exporters say it (`hanami_build_info`, always 1).
import { readdir, readFile } from "node:fs/promises";
import type { Collected, Registry } from "./metrics.ts";

export interface ProcessSample {
  readonly cpuSeconds: number;
  readonly residentBytes: number;
  readonly heapUsedBytes: number;
  /** null where /proc does not tell (not Linux). */
  readonly openFds: number | null;
  readonly maxFds: number | null;
}

/** The soft limit of "Max open files" in /proc/self/limits; "unlimited" is no limit to report. */
export function maxOpenFilesOf(limits: string): number | null {
  const match = /^Max open files\s+(\d+)/m.exec(limits);
  return match === null ? null : Number(match[1]);
}

/** Reads this process's figures; /proc is read asynchronously, at scrape time only. */
export async function readProcessSample(): Promise<ProcessSample> {
  const { user, system } = process.cpuUsage();
  const [fds, limits] = await Promise.all([
    readdir("/proc/self/fd").catch(() => null),
    readFile("/proc/self/limits", "utf8").catch(() => null),
  ]);
  const memory = process.memoryUsage();
  return {
    cpuSeconds: (user + system) / 1e6,
    residentBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    openFds: fds?.length ?? null, // with the one readdir holds, as client_golang counts
    maxFds: limits === null ? null : maxOpenFilesOf(limits),
  };
}

/**
 * Registers the process metrics; `read` gives the last sample (null before the first), taken by
 * the scrape that renders them.
 */
export function registerProcessMetrics(
  registry: Registry,
  read: () => ProcessSample | null,
  build: { readonly startTimeSec: number; readonly version: string; readonly bunVersion: string },
): void {
  const none: Collected = [];
  registry.gaugeFn(
    "hanami_build_info",
    "The running build: hanami's version and Bun's; always 1",
    () => [{ labels: { version: build.version, bun: build.bunVersion }, value: 1 }],
  );
  const of = (value: number | null | undefined): Collected => value ?? none;
  registry.counterFn(
    "process_cpu_seconds_total",
    "User and system CPU time spent, in seconds",
    () => of(read()?.cpuSeconds),
  );
  registry.gaugeFn("process_resident_memory_bytes", "Resident memory size in bytes", () =>
    of(read()?.residentBytes),
  );
  registry.gaugeFn(
    "process_start_time_seconds",
    "Start time of the process since the Unix epoch in seconds",
    () => build.startTimeSec,
  );
  registry.gaugeFn("process_open_fds", "Open file descriptors", () => of(read()?.openFds));
  registry.gaugeFn("process_max_fds", "Most file descriptors the process may open", () =>
    of(read()?.maxFds),
  );
  registry.gaugeFn(
    "hanami_heap_used_bytes",
    "Main thread JavaScript heap in use; the rest of resident memory is native",
    () => of(read()?.heapUsedBytes),
  );
}
