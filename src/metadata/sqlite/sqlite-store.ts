// MetadataStore on bun:sqlite through drizzle; the reads of every GET, every list page and the
// start-up scan on bun:sqlite directly (drizzle's row mapping showed in their profiles). Every
// query is prepared once (bun-stack §5: the unprepared builder costs ~100 µs); one writer, WAL,
// synchronous=FULL for durable 2xx (reliability P2);
// uploads and deletes go through a group commit that syncs the WAL off the main thread.
import { Database } from "bun:sqlite";
import { and, count, eq, sql, sum } from "drizzle-orm";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { LruMap } from "../../util/lru-map.ts";
import type { BlobRecord, MetadataStore, RemoveOwnerResult } from "../metadata-store.ts";
import { createGroupCommit } from "./group-commit.ts";
import { migrate } from "./migrate.ts";
import { sqliteModeration } from "./moderation.ts";
import { blobs, owners } from "./schema.ts";

const p = sql.placeholder;

function openDatabase(path: string): Database {
  const sqlite = new Database(path, { create: true, strict: true });
  for (const pragma of [
    "journal_mode = WAL",
    "synchronous = FULL",
    "busy_timeout = 5000",
    "foreign_keys = ON",
    // 4 MiB of page cache and no mmap: the kernel's page cache holds the file either way, and
    // what SQLite keeps is resident on top of it. A mapped index of 100,000 blobs added 59 MiB
    // under random GETs, a 16 MiB cache 8-10 MiB more than this one, neither with a gain in GET,
    // /list or upload rates (PERFORMANCE.md).
    "cache_size = -4096",
    "mmap_size = 0",
  ]) {
    sqlite.run(`PRAGMA ${pragma}`);
  }
  return sqlite;
}

function prepareStatements(db: ReturnType<typeof drizzle>) {
  return {
    insertBlob: db
      .insert(blobs)
      .values({ sha256: p("sha256"), size: p("size"), type: p("type"), uploaded: p("uploaded") })
      .onConflictDoNothing()
      .prepare(),
    insertOwner: db
      .insert(owners)
      .values({
        sha256: p("sha256"),
        pubkey: p("pubkey"),
        added: p("added"),
        uploaded: p("uploaded"),
        size: p("size"),
        type: p("type"),
      })
      .onConflictDoNothing()
      .prepare(),
    isOwner: db
      .select({ pubkey: owners.pubkey })
      .from(owners)
      .where(and(eq(owners.sha256, p("sha256")), eq(owners.pubkey, p("pubkey"))))
      .prepare(),
    deleteOwner: db
      .delete(owners)
      .where(and(eq(owners.sha256, p("sha256")), eq(owners.pubkey, p("pubkey"))))
      .prepare(),
    countOwners: db
      .select({ n: count() })
      .from(owners)
      .where(eq(owners.sha256, p("sha256")))
      .prepare(),
    deleteBlob: db
      .delete(blobs)
      .where(eq(blobs.sha256, p("sha256")))
      .prepare(),
    cursorRow: db
      .select({ uploaded: owners.uploaded })
      .from(owners)
      .where(and(eq(owners.pubkey, p("pubkey")), eq(owners.sha256, p("sha256"))))
      .prepare(),
    stats: db
      .select({ blobs: count(), bytes: sum(blobs.size) })
      .from(blobs)
      .prepare(),
  };
}

const NO_CURSOR_UPLOADED = Number.MAX_SAFE_INTEGER;

/**
 * The lookup of every GET and HEAD, on bun:sqlite directly: drizzle's row mapping makes the same
 * prepared statement 1.3× slower (bench/micro/index-lookup.bench.ts). Columns as in schema.ts.
 */
function prepareBlobLookup(sqlite: Database): (sha256: string) => BlobRecord | null {
  const statement = sqlite.prepare<BlobRecord, [string]>(
    "SELECT sha256, size, type, uploaded AS uploadedSec FROM blobs WHERE sha256 = ?",
  );
  return (sha256) => statement.get(sha256);
}

interface ListPageParams {
  pubkey: string;
  since: number;
  until: number;
  cursorUploaded: number;
  cursorSha256: string;
  limit: number;
}

/**
 * One statement for every page of a user's list: no cursor means a cursor "after the newest
 * possible row". On bun:sqlite directly, like the lookup: drizzle's mapping of 1,000 rows was
 * 15 % of a list request. One range scan of the covering owners_by_pubkey index.
 */
function prepareListPage(sqlite: Database): (params: ListPageParams) => BlobRecord[] {
  const statement = sqlite.prepare<BlobRecord, Record<string, string | number>>(
    `SELECT sha256, size, type, uploaded AS uploadedSec FROM owners
     WHERE pubkey = $pubkey AND uploaded >= $since AND uploaded <= $until
       AND (uploaded < $cursorUploaded OR (uploaded = $cursorUploaded AND sha256 > $cursorSha256))
     ORDER BY uploaded DESC, sha256 ASC
     LIMIT $limit`,
  );
  return (params) =>
    statement.all({
      $pubkey: params.pubkey,
      $since: params.since,
      $until: params.until,
      $cursorUploaded: params.cursorUploaded,
      $cursorSha256: params.cursorSha256,
      $limit: params.limit,
    });
}

const HOT_ROWS = 10_000;
/** How stale a row removed by another process (`hanami fsck --repair` on a live index) may be. */
const OTHER_WRITERS_CHECK_MS = 250;

/**
 * Rows of hot blobs, so that a GET of one opens no read transaction: in WAL mode each costs two
 * fcntl locks on the -shm file, a quarter of a cached 1 KiB GET (docs/PERFORMANCE.md). Every
 * delete of this store forgets its row at once; a commit by another connection is seen through
 * `PRAGMA data_version` (which takes the same locks, so it is asked at most every few hundred ms).
 * Least recently used rows out first; a hit hands out the same object, so callers may key caches
 * by it.
 */
function createHotRows(
  sqlite: Database,
  lookup: (sha256: string) => BlobRecord | null,
  otherWritersCheckMs: number,
) {
  const dataVersion = sqlite.prepare<{ data_version: number }, []>("PRAGMA data_version");
  const rows = new LruMap<string, BlobRecord>(HOT_ROWS);
  let seenVersion = dataVersion.get()?.data_version;
  let checkedAtMs = performance.now();
  const dropIfOthersWrote = () => {
    const nowMs = performance.now();
    if (nowMs - checkedAtMs < otherWritersCheckMs) return;
    checkedAtMs = nowMs;
    const version = dataVersion.get()?.data_version;
    if (version !== seenVersion) rows.clear();
    seenVersion = version;
  };
  return {
    get(sha256: string): BlobRecord | null {
      dropIfOthersWrote();
      const hot = rows.get(sha256);
      if (hot !== undefined) return hot;
      const row = lookup(sha256);
      if (row === null) return null;
      rows.set(sha256, row);
      return row;
    },
    /** Only what is held: no lookup. */
    peek(sha256: string): BlobRecord | undefined {
      dropIfOthersWrote();
      return rows.get(sha256);
    },
    forget: (sha256: string) => rows.delete(sha256),
  };
}

/** bun:sqlite's run() returns `{ changes }`; drizzle's types say void. */
function changesOf(result: unknown): number {
  return (result as { changes: number }).changes;
}

export interface SqliteStoreOptions {
  readonly path: string;
  readonly nowSec: number;
  /** Tests set 0 to see another connection's deletes at once. */
  readonly otherWritersCheckMs?: number;
  /** Told when opening applied migrations: a large index can take a while (issue: upgrades). */
  readonly onMigrated?: ((versions: number[], ms: number) => void) | undefined;
}

/** This store always holds hot rows, so `getHotBlob` is always there. */
export type SqliteStore = MetadataStore & Required<Pick<MetadataStore, "getHotBlob">>;

export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const sqlite = openDatabase(options.path);
  const startedMs = performance.now();
  const applied = migrate(sqlite, options.nowSec);
  if (applied.length > 0) options.onMigrated?.(applied, Math.round(performance.now() - startedMs));
  const q = prepareStatements(drizzle({ client: sqlite }));
  const lookupBlob = prepareBlobLookup(sqlite);
  const listPage = prepareListPage(sqlite);
  const allHashes = sqlite.prepare<never, []>("SELECT sha256 FROM blobs");
  const hotRows = createHotRows(
    sqlite,
    lookupBlob,
    options.otherWritersCheckMs ?? OTHER_WRITERS_CHECK_MS,
  );
  const writes = createGroupCommit(sqlite, {
    walPath: options.path === ":memory:" ? null : `${options.path}-wal`,
  });

  const recordUpload = sqlite.transaction((record: BlobRecord, owner: string | null) => {
    const inserted = q.insertBlob.run({
      sha256: record.sha256,
      size: record.size,
      type: record.type,
      uploaded: record.uploadedSec,
    });
    const stored = lookupBlob(record.sha256) ?? record;
    if (owner !== null) {
      q.insertOwner.run({
        sha256: record.sha256,
        pubkey: owner,
        added: record.uploadedSec,
        uploaded: stored.uploadedSec,
        size: stored.size,
        type: stored.type,
      });
    }
    return { record: stored, created: changesOf(inserted) > 0 };
  });

  const removeOwner = sqlite.transaction((sha256: string, pubkey: string): RemoveOwnerResult => {
    if (lookupBlob(sha256) === null) return "not_found";
    if (changesOf(q.deleteOwner.run({ sha256, pubkey })) === 0) return "not_owner";
    if ((q.countOwners.get({ sha256 })?.n ?? 0) > 0) return "owner_removed";
    q.deleteBlob.run({ sha256 });
    hotRows.forget(sha256);
    return "blob_removed";
  });

  return {
    getBlob: async (sha256) => hotRows.get(sha256),
    getHotBlob: (sha256) => hotRows.peek(sha256),
    recordUpload: (record, owner) => writes.run(() => recordUpload(record, owner)),
    isOwner: async (sha256, pubkey) => q.isOwner.get({ sha256, pubkey }) !== undefined,
    removeOwner: (sha256, pubkey) => writes.run(() => removeOwner(sha256, pubkey)),
    async listByOwner(pubkey, query) {
      let cursorUploaded = NO_CURSOR_UPLOADED;
      if (query.cursor !== undefined) {
        const row = q.cursorRow.get({ pubkey, sha256: query.cursor });
        if (row === undefined) return "unknown_cursor"; // P-16
        cursorUploaded = row.uploaded;
      }
      return listPage({
        pubkey,
        since: query.sinceSec ?? 0,
        until: query.untilSec ?? NO_CURSOR_UPLOADED,
        cursorUploaded,
        cursorSha256: query.cursor ?? "",
        limit: query.limit,
      });
    },
    forgetBlob: async (sha256) => {
      q.deleteBlob.run({ sha256 });
      hotRows.forget(sha256);
    },
    // Raw, one column: drizzle's row mapping was a third of reading 100,000 hashes at start-up.
    async *allHashes() {
      for (const [sha256] of allHashes.values()) yield sha256 as string;
    },
    async stats() {
      const row = q.stats.get();
      return { blobs: row?.blobs ?? 0, bytes: Number(row?.bytes ?? 0) };
    },
    ...sqliteModeration(sqlite),
    close: async () => {
      await writes.flush();
      sqlite.close();
    },
  };
}
