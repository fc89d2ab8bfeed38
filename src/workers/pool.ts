// A fixed pool of Bun Workers for CPU work, behind a bounded FIFO queue (STYLE §3.8).
// Full queue → `busy` at once (503 + Retry-After); a task past its timeout costs its worker,
// which is replaced; a crashed worker fails only the task it held.
import { BlossomError } from "../protocol/errors.ts";
import type { TaskInput, TaskName, TaskOutput, TaskRequest, WorkerReply } from "./tasks.ts";

export interface CpuPool {
  run<N extends TaskName>(
    name: N,
    input: TaskInput<N>,
    options?: { signal?: AbortSignal; transfer?: Bun.Transferable[] },
  ): Promise<TaskOutput<N>>;
  stats(): { size: number; busy: number; queued: number };
  close(): Promise<void>;
}

export interface CpuPoolOptions {
  readonly size: number;
  readonly queueLimit: number;
  readonly taskTimeoutMs: number;
  readonly workerUrl: URL;
}

interface Job {
  readonly request: TaskRequest;
  readonly transfer: Bun.Transferable[];
  readonly resolve: (output: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  timer: ReturnType<typeof setTimeout> | null;
}

export function defaultPoolSize(cores = navigator.hardwareConcurrency): number {
  return Math.max(1, cores - 1);
}

export function createCpuPool(options: CpuPoolOptions): CpuPool {
  const queue: Job[] = [];
  const slots: Slot[] = [];
  let nextTaskId = 1;
  let closed = false;

  function finish(slot: Slot): Job | null {
    const job = slot.job;
    if (slot.timer !== null) clearTimeout(slot.timer);
    slot.job = null;
    slot.timer = null;
    return job;
  }

  function replace(slot: Slot, reason: string): void {
    finish(slot)?.reject(new BlossomError("busy", reason, { retryAfterSec: 1 }));
    slot.worker.terminate();
    if (!closed) {
      slot.worker = spawn(slot);
      dispatch();
    }
  }

  function spawn(slot: Slot): Worker {
    const worker = new Worker(options.workerUrl);
    worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const reply = event.data;
      if (reply.kind === "ready") return;
      const job = finish(slot);
      if (reply.kind === "result") job?.resolve(reply.output);
      else if (reply.code !== undefined) job?.reject(new BlossomError(reply.code, reply.message));
      else job?.reject(new Error(reply.message));
      dispatch();
    };
    worker.onerror = () => replace(slot, "worker crashed");
    return worker;
  }

  function dispatch(): void {
    for (const slot of slots) {
      if (slot.job !== null) continue;
      const job = queue.shift();
      if (job === undefined) return;
      slot.job = job;
      slot.timer = setTimeout(() => replace(slot, "task timed out"), options.taskTimeoutMs);
      slot.worker.postMessage(job.request, job.transfer);
    }
  }

  for (let i = 0; i < options.size; i++) {
    const slot: Slot = { worker: undefined as unknown as Worker, job: null, timer: null };
    slot.worker = spawn(slot);
    slots.push(slot);
  }

  return {
    run(name, input, runOptions = {}) {
      if (closed) return Promise.reject(new BlossomError("busy", "server is shutting down"));
      if (queue.length >= options.queueLimit) {
        return Promise.reject(
          new BlossomError("busy", "server busy, retry later", { retryAfterSec: 1 }),
        );
      }
      return new Promise((resolve, reject) => {
        const job: Job = {
          request: { taskId: nextTaskId++, name, input },
          transfer: runOptions.transfer ?? [],
          resolve: resolve as (output: unknown) => void,
          reject,
          signal: runOptions.signal,
        };
        runOptions.signal?.addEventListener("abort", () => {
          const at = queue.indexOf(job);
          if (at !== -1) queue.splice(at, 1);
          reject(runOptions.signal?.reason);
        });
        queue.push(job);
        dispatch();
      });
    },
    stats: () => ({
      size: slots.length,
      busy: slots.filter((slot) => slot.job !== null).length,
      queued: queue.length,
    }),
    async close() {
      closed = true;
      for (const job of queue.splice(0))
        job.reject(new BlossomError("busy", "server is shutting down"));
      for (const slot of slots) {
        finish(slot)?.reject(new BlossomError("busy", "server is shutting down"));
        slot.worker.terminate();
      }
    },
  };
}
