// A marker in the data dir that says the last process stopped cleanly: every upload it
// acknowledged is complete and no upload was cut halfway, so start-up recovery can skip its scan
// of every file and row (seconds at 100,000 blobs) and only clear temp files. Taken (deleted
// and the deletion made durable) before the server accepts work, so a crash after it forces a
// full scan again. A disk that loses files while the server is stopped is `hanami fsck`'s case.
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fsyncPath } from "../util/fsync.ts";

const MARKER = "clean-shutdown";

export async function markCleanShutdown(dataDir: string): Promise<void> {
  const path = join(dataDir, MARKER);
  await writeFile(path, `${new Date().toISOString()}\n`, { flush: true });
  await fsyncPath(dataDir);
}

/** Whether the marker was there; it is gone (durably) when this returns. */
export async function takeCleanShutdownMark(dataDir: string): Promise<boolean> {
  const path = join(dataDir, MARKER);
  if (!(await Bun.file(path).exists())) return false;
  await rm(path, { force: true });
  await fsyncPath(dataDir);
  return true;
}
