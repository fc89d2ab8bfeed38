// Group commit: the writes queued during one event-loop turn run in one transaction, and none of
// them settles before the WAL is on disk, so an acknowledged write is as durable as with
// synchronous=FULL (reliability P2). The fsync runs on the thread pool, not the main thread (where
// it was the largest cost of small uploads), and one fsync covers every batch committed before
// it started. Each write runs in its own savepoint: one that throws is rolled back alone.
import type { Database } from "bun:sqlite";
import { fsyncPath } from "../../util/fsync.ts";
import { IndexNotDurableError } from "../metadata-store.ts";

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface QueuedWrite {
  readonly write: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommit {
  /** Runs `write` inside the next batch's transaction; settles once that batch is committed. */
  run<T>(write: () => T): Promise<T>;
  /** Commits what is queued now and waits until it is on disk, e.g. before closing. */
  flush(): Promise<void>;
}

/** fsyncs of one file, coalesced: a request made while one runs is served by the next one. */
function createCoalescedSync(path: string): () => Promise<void> {
  let running: Promise<void> | null = null;
  let following: Promise<void> | null = null;
  const request = (): Promise<void> => {
    if (running === null) {
      running = fsyncPath(path).finally(() => {
        running = null;
      });
      return running;
    }
    // The running fsync may have started before this batch's frames were written.
    following ??= running.then(() => {
      following = null;
      return request();
    });
    return following;
  };
  return request;
}

export interface GroupCommitOptions {
  /** The database's `-wal` file: batches commit without fsync and it is fsynced off-thread.
   * null: batches commit with the connection's own synchronous setting. */
  readonly walPath: string | null;
}

export function createGroupCommit(sqlite: Database, options: GroupCommitOptions): GroupCommit {
  let queued: QueuedWrite[] = [];
  const syncWal = options.walPath === null ? null : createCoalescedSync(options.walPath);
  // A transaction function called inside another one becomes a SAVEPOINT.
  const inSavepoint = sqlite.transaction((write: () => unknown) => write());
  const commitBatch = sqlite.transaction((batch: readonly QueuedWrite[]): Outcome[] =>
    batch.map((entry) => {
      try {
        return { ok: true, value: inSavepoint(entry.write) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );

  /** Commits without waiting for the disk when the WAL is synced afterwards. */
  function commitWithoutSync(batch: readonly QueuedWrite[]): Outcome[] {
    if (syncWal === null) return commitBatch.immediate(batch);
    sqlite.run("PRAGMA synchronous = NORMAL");
    try {
      return commitBatch.immediate(batch);
    } finally {
      sqlite.run("PRAGMA synchronous = FULL"); // every other write keeps its own fsync
    }
  }

  async function settle(batch: readonly QueuedWrite[], outcomes: Outcome[]): Promise<void> {
    try {
      await syncWal?.();
    } catch (error) {
      const notDurable = new IndexNotDurableError("index write is not on disk", { cause: error });
      for (const entry of batch) entry.reject(notDurable);
      return;
    }
    outcomes.forEach((outcome, at) => {
      const entry = batch[at] as QueuedWrite;
      if (outcome.ok) entry.resolve(outcome.value);
      else entry.reject(outcome.error);
    });
  }

  function flush(): Promise<void> {
    if (queued.length === 0) return Promise.resolve();
    const batch = queued;
    queued = [];
    let outcomes: Outcome[];
    try {
      outcomes = commitWithoutSync(batch);
    } catch (error) {
      for (const entry of batch) entry.reject(error); // the commit itself failed: nothing landed
      return Promise.resolve();
    }
    return settle(batch, outcomes);
  }

  return {
    run<T>(write: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queued.push({ write, resolve: resolve as (value: unknown) => void, reject });
        if (queued.length === 1) setImmediate(() => void flush());
      });
    },
    flush,
  };
}
