// The data dir's parts and how they are opened: for the server (app.ts) and for the operator's
// commands that work on the stores alone (migrate, fsck, reports).
import { join } from "node:path";
import type { Config } from "./config/schema.ts";
import { openSqliteStore } from "./metadata/sqlite/sqlite-store.ts";
import { fsck } from "./services/recovery.ts";
import { createLocalStore } from "./storage/local-store.ts";
import { type Clock, systemClock } from "./util/clock.ts";

/** Where the binary extracts sharp's native runtime: the data dir is rarely mounted noexec. */
export function mediaCacheDir(config: Config): string {
  return join(config.dataDir, ".cache");
}

/** Video jobs stream originals and results here: the store's temp dir, on the blobs' disk. */
export function videoScratchDir(config: Config): string {
  return join(config.dataDir, "tmp");
}

function indexPath(config: Config): string {
  return join(config.dataDir, "index.sqlite");
}

/** `onMigrated` hears of the index migrations this opening applied (versions, milliseconds). */
export async function openStores(
  config: Config,
  clock: Clock,
  onMigrated?: (versions: number[], ms: number) => void,
) {
  const store = await createLocalStore({
    dataDir: config.dataDir,
    reserveFreeBytes: config.storage.reserveFreeBytes,
    fsync: config.storage.fsync,
  });
  const metadata = openSqliteStore({
    path: indexPath(config),
    nowSec: clock.nowSec(),
    onMigrated,
  });
  return { store, metadata };
}

export type Stores = Awaited<ReturnType<typeof openStores>>;

export async function runMigrations(
  config: Config,
  onMigrated: (versions: number[], ms: number) => void,
): Promise<void> {
  const { metadata } = await openStores(config, systemClock, onMigrated);
  await metadata.close();
}

export async function runFsck(
  config: Config,
  options: { repair: boolean },
): Promise<{ ok: boolean; report: unknown }> {
  const { store, metadata } = await openStores(config, systemClock);
  try {
    const report = await fsck({ store, metadata }, options);
    return {
      ok: report.corrupt.length + report.orphans.length + report.dangling.length === 0,
      report,
    };
  } finally {
    await metadata.close();
  }
}

/** `hanami reports`: the newest reports, for an operator at the console. */
export async function listReports(config: Config, limit: number): Promise<unknown[]> {
  const { metadata } = await openStores(config, systemClock);
  try {
    return await metadata.listReports(limit);
  } finally {
    await metadata.close();
  }
}
