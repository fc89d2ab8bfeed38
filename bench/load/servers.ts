// Starts a server process pinned to one core, waits for its "listening" line, and samples its
// resident memory and CPU time from /proc while a scenario runs (Linux only).
import { readFileSync } from "node:fs";
import type { Subprocess } from "bun";

const START_TIMEOUT_MS = 20_000;
/** The load generator process (client.ts), started pinned to the client core. */
export const CLIENT_SCRIPT = new URL("./client.ts", import.meta.url).pathname;
const SAMPLE_EVERY_MS = 25;
const CLOCK_TICKS_PER_SEC = 100; // USER_HZ on every Linux we run on

export interface PinnedServer {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** Milliseconds from spawn to the first answered request. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

export interface Usage {
  readonly peakRssMiB: number;
  readonly startRssMiB: number;
  /** CPU seconds per wall second over the scenario; 1.0 = one core busy. */
  readonly cpuCores: number;
}

/** `taskset -c <core>` when the tool exists and the machine has the core; otherwise unpinned. */
export function pinned(core: number, argv: string[]): string[] {
  const taskset = Bun.which("taskset");
  if (taskset === null || navigator.hardwareConcurrency <= core) return argv;
  return [taskset, "-c", String(core), ...argv];
}

/** What a server said last, kept for the error when it exits before listening. */
const KEPT_OUTPUT_CHARS = 4096;

function keepTail(tail: { text: string }, chunk: string): void {
  tail.text = (tail.text + chunk).slice(-KEPT_OUTPUT_CHARS);
}

/**
 * Resolves with the port of the first "listening" line, then keeps reading to the end; until
 * then the output is kept in `tail`.
 */
function readPort(stream: ReadableStream<Uint8Array>, tail: { text: string }): Promise<number> {
  const { promise, resolve, reject } = Promise.withResolvers<number>();
  const decoder = new TextDecoder();
  let pending = "";
  let found = false;
  const onLine = (line: string) => {
    if (found || !line.includes('"listening"')) return;
    const parsed = JSON.parse(line) as { port?: number };
    if (typeof parsed.port !== "number") return;
    found = true;
    resolve(parsed.port);
  };
  // A chatty server (one log line per request) must never block on a full pipe.
  void (async () => {
    for await (const chunk of stream) {
      if (found) continue;
      const text = decoder.decode(chunk, { stream: true });
      keepTail(tail, text);
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      lines.forEach(onLine);
    }
    reject(new Error("exited before listening"));
  })();
  return promise;
}

async function keepStderr(stream: ReadableStream<Uint8Array>, tail: { text: string }) {
  const decoder = new TextDecoder();
  for await (const chunk of stream) keepTail(tail, decoder.decode(chunk, { stream: true }));
}

export async function startPinned(
  name: string,
  argv: string[],
  env: Record<string, string>,
  core: number,
): Promise<PinnedServer> {
  const startedMs = performance.now();
  const proc: Subprocess<"ignore", "pipe", "pipe"> = Bun.spawn(pinned(core, argv), {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  const said = { text: "" };
  void keepStderr(proc.stderr, said);
  const timer = setTimeout(() => proc.kill("SIGKILL"), START_TIMEOUT_MS);
  const port = await readPort(proc.stdout, said)
    .catch(async () => {
      const code = await proc.exited;
      throw new Error(
        `${name} exited before listening (exit ${code}); its last output:\n${said.text}`,
      );
    })
    .finally(() => clearTimeout(timer));
  const url = `http://127.0.0.1:${port}`;
  await (await fetch(`${url}/${"0".repeat(64)}`, { method: "HEAD" })).arrayBuffer();
  const startupMs = performance.now() - startedMs;
  return {
    name,
    url,
    pid: proc.pid,
    startupMs,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kib / 1024;
}

/** VmHWM: the process's peak resident set since it started. */
export function readPeakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid: number): number {
  // Fields after the ")" of the command name: utime is the 12th, stime the 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SEC;
}

/**
 * Samples `pid` until `stop`. `restart` starts the CPU clock again: a client that signs its
 * tokens first would otherwise count those idle seconds of the server's against its CPU.
 */
export function sampleUsage(pid: number): { restart(): void; stop(): Usage } {
  const startRssMiB = rssMiB(pid);
  let startCpuSec = cpuSeconds(pid);
  let startedMs = performance.now();
  let peakRssMiB = startRssMiB;
  const timer = setInterval(() => {
    peakRssMiB = Math.max(peakRssMiB, rssMiB(pid));
  }, SAMPLE_EVERY_MS);
  return {
    restart() {
      startCpuSec = cpuSeconds(pid);
      startedMs = performance.now();
    },
    stop() {
      clearInterval(timer);
      peakRssMiB = Math.max(peakRssMiB, rssMiB(pid));
      const wallSec = (performance.now() - startedMs) / 1000;
      return { peakRssMiB, startRssMiB, cpuCores: (cpuSeconds(pid) - startCpuSec) / wallSec };
    },
  };
}
