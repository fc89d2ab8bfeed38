// Blobs on the local disk: temp file → fdatasync → rename → fsync of the directory (reliability P1, P2).
// Writes go through a FileHandle, never a FileSink, which loses ENOSPC (reliability §0.1).
import { randomUUID } from "node:crypto";
import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  rename,
  rm,
  stat,
  statfs,
  unlink,
} from "node:fs/promises";
import { dirname, join } from "node:path";
import { BlossomError } from "../protocol/errors.ts";
import { fsyncPath } from "../util/fsync.ts";
import type { BlobStore, Sha256, StagedBlob } from "./blob-store.ts";
import { blobKey, isBlobName } from "./layout.ts";

export interface LocalStoreOptions {
  readonly dataDir: string;
  /** Uploads stop (503) when less than this is free, so SQLite always has room (P7). */
  readonly reserveFreeBytes: number;
  readonly fsync: boolean;
}

const STORAGE_FULL_RETRY_SEC = 60;

function isNoSpace(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}

function storageFull(cause: unknown): BlossomError {
  return new BlossomError(
    "storage_full",
    "storage full",
    { retryAfterSec: STORAGE_FULL_RETRY_SEC },
    { cause },
  );
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}

export async function createLocalStore(options: LocalStoreOptions): Promise<BlobStore> {
  const blobsDir = join(options.dataDir, "blobs");
  const tmpDir = join(options.dataDir, "tmp");
  await mkdir(blobsDir, { recursive: true });
  await mkdir(tmpDir, { recursive: true });
  // blobsDir is normalised already: path.join per read was 3 % of a GET that misses the cache.
  const pathOf = (sha256: Sha256) => `${blobsDir}/${blobKey(sha256)}`;

  async function stage(): Promise<StagedBlob> {
    const free = await statfs(options.dataDir);
    if (free.bavail * free.bsize < options.reserveFreeBytes) throw storageFull(null); // P7
    const tmpPath = join(tmpDir, randomUUID());
    const handle = await open(tmpPath, "wx");
    let size = 0;
    let state: "open" | "committed" | "aborted" = "open";

    const abort = async () => {
      if (state !== "open") return;
      state = "aborted";
      await handle.close().catch(() => undefined);
      await unlink(tmpPath).catch(() => undefined);
    };

    const publish = async (sha256: Sha256): Promise<"created" | "existed"> => {
      const { size: onDisk } = await handle.stat();
      if (onDisk !== size) throw new Error(`staged file holds ${onDisk} bytes, expected ${size}`);
      if (options.fsync) await handle.datasync();
      await handle.close();
      const target = pathOf(sha256);
      if ((await stat(target).catch(() => null)) !== null) {
        await unlink(tmpPath);
        return "existed"; // content-addressed: the bytes are the same
      }
      await mkdir(dirname(target), { recursive: true });
      await rename(tmpPath, target);
      if (options.fsync) await fsyncPath(dirname(target));
      return "created";
    };

    return {
      get size() {
        return size;
      },
      async write(chunk) {
        try {
          await writeAll(handle, chunk);
        } catch (error) {
          await abort();
          throw isNoSpace(error) ? storageFull(error) : error;
        }
        size += chunk.byteLength;
      },
      async commit(sha256) {
        if (state !== "open") throw new Error(`cannot commit a ${state} staged blob`);
        try {
          const result = await publish(sha256);
          state = "committed";
          return result;
        } catch (error) {
          await abort();
          throw isNoSpace(error) ? storageFull(error) : error;
        }
      },
      abort,
      [Symbol.asyncDispose]: abort,
    };
  }

  return {
    name: "local",
    async stat(sha256) {
      const info = await stat(pathOf(sha256)).catch(() => null);
      return info === null ? null : { size: info.size };
    },
    async open(sha256) {
      const path = pathOf(sha256);
      return (await stat(path).catch(() => null)) === null ? null : Bun.file(path);
    },
    async readStart(sha256, maxBytes) {
      try {
        return await Bun.file(pathOf(sha256)).slice(0, maxBytes).bytes();
      } catch (error) {
        if ((error as { code?: string }).code === "ENOENT") return null;
        throw error;
      }
    },
    stage,
    async delete(sha256) {
      try {
        await unlink(pathOf(sha256));
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === "ENOENT") return false;
        throw error;
      }
    },
    async clearStaged() {
      const names = await readdir(tmpDir).catch(() => []);
      await Promise.all(
        names.map((name) => rm(join(tmpDir, name), { force: true, recursive: true })),
      );
      return names.length;
    },
    // The shard directories of one first-level directory (at most 256) are read together: one
    // readdir at a time took 3.1 s for 100,000 blobs in 51,000 directories, this 0.4 s.
    async *list() {
      const names = (path: string) => readdir(path).catch((): string[] => []);
      for (const first of await names(blobsDir)) {
        const seconds = await names(join(blobsDir, first));
        const shards = await Promise.all(
          seconds.map((second) => names(join(blobsDir, first, second))),
        );
        for (const shard of shards) {
          for (const name of shard) if (isBlobName(name)) yield name;
        }
      }
    },
  };
}
