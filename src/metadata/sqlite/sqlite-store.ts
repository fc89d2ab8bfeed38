// MetadataStore on bun:sqlite through drizzle. Every query is prepared once (bun-stack §5: the
// unprepared builder costs ~100 µs); one writer, WAL, synchronous=FULL for durable 2xx (reliability P2).
import { Database } from "bun:sqlite";
import { and, asc, count, desc, eq, gt, gte, lt, lte, or, sql, sum } from "drizzle-orm";
import { drizzle } from "drizzle-orm/bun-sqlite";
import type { BlobRecord, MetadataStore, RemoveOwnerResult } from "../metadata-store.ts";
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
    "cache_size = -65536",
    "mmap_size = 268435456",
  ]) {
    sqlite.run(`PRAGMA ${pragma}`);
  }
  return sqlite;
}

function prepareStatements(db: ReturnType<typeof drizzle>) {
  const record = {
    sha256: blobs.sha256,
    size: blobs.size,
    type: blobs.type,
    uploadedSec: blobs.uploaded,
  };
  return {
    getBlob: db
      .select(record)
      .from(blobs)
      .where(eq(blobs.sha256, p("sha256")))
      .prepare(),
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
    // One statement for every page: no cursor means a cursor "after the newest possible row".
    listPage: db
      .select(record)
      .from(owners)
      .innerJoin(blobs, eq(blobs.sha256, owners.sha256))
      .where(
        and(
          eq(owners.pubkey, p("pubkey")),
          gte(owners.uploaded, p("since")),
          lte(owners.uploaded, p("until")),
          or(
            lt(owners.uploaded, p("cursorUploaded")),
            and(eq(owners.uploaded, p("cursorUploaded")), gt(owners.sha256, p("cursorSha256"))),
          ),
        ),
      )
      .orderBy(desc(owners.uploaded), asc(owners.sha256))
      .limit(p("limit"))
      .prepare(),
    allHashes: db.select({ sha256: blobs.sha256 }).from(blobs).prepare(),
    stats: db
      .select({ blobs: count(), bytes: sum(blobs.size) })
      .from(blobs)
      .prepare(),
  };
}

const NO_CURSOR_UPLOADED = Number.MAX_SAFE_INTEGER;

/** bun:sqlite's run() returns `{ changes }`; drizzle's types say void. */
function changesOf(result: unknown): number {
  return (result as { changes: number }).changes;
}

export function openSqliteStore(options: { path: string; nowSec: number }): MetadataStore {
  const sqlite = openDatabase(options.path);
  migrate(sqlite, options.nowSec);
  const q = prepareStatements(drizzle({ client: sqlite }));

  const recordUpload = sqlite.transaction((record: BlobRecord, owner: string | null) => {
    const inserted = q.insertBlob.run({
      sha256: record.sha256,
      size: record.size,
      type: record.type,
      uploaded: record.uploadedSec,
    });
    const stored = q.getBlob.get({ sha256: record.sha256 }) ?? record;
    if (owner !== null) {
      q.insertOwner.run({
        sha256: record.sha256,
        pubkey: owner,
        added: record.uploadedSec,
        uploaded: stored.uploadedSec,
      });
    }
    return { record: stored, created: changesOf(inserted) > 0 };
  });

  const removeOwner = sqlite.transaction((sha256: string, pubkey: string): RemoveOwnerResult => {
    if (q.getBlob.get({ sha256 }) === undefined) return "not_found";
    if (changesOf(q.deleteOwner.run({ sha256, pubkey })) === 0) return "not_owner";
    if ((q.countOwners.get({ sha256 })?.n ?? 0) > 0) return "owner_removed";
    q.deleteBlob.run({ sha256 });
    return "blob_removed";
  });

  return {
    getBlob: async (sha256) => q.getBlob.get({ sha256 }) ?? null,
    recordUpload: async (record, owner) => recordUpload.immediate(record, owner),
    isOwner: async (sha256, pubkey) => q.isOwner.get({ sha256, pubkey }) !== undefined,
    removeOwner: async (sha256, pubkey) => removeOwner.immediate(sha256, pubkey),
    async listByOwner(pubkey, query) {
      let cursorUploaded = NO_CURSOR_UPLOADED;
      if (query.cursor !== undefined) {
        const row = q.cursorRow.get({ pubkey, sha256: query.cursor });
        if (row === undefined) return "unknown_cursor"; // P-16
        cursorUploaded = row.uploaded;
      }
      return q.listPage.all({
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
    },
    async *allHashes() {
      for (const row of q.allHashes.all()) yield row.sha256;
    },
    async stats() {
      const row = q.stats.get();
      return { blobs: row?.blobs ?? 0, bytes: Number(row?.bytes ?? 0) };
    },
    ...sqliteModeration(sqlite),
    close: async () => sqlite.close(),
  };
}
