// Reports and bans (BUD-09) and media derivatives (BUD-05) in SQLite, prepared once.
import type { Database } from "bun:sqlite";
import type { Derivative, MetadataStore, ReportRecord } from "../metadata-store.ts";

type Moderation = Pick<
  MetadataStore,
  | "addReports"
  | "listReports"
  | "dismissReports"
  | "ban"
  | "isBanned"
  | "recordDerivative"
  | "findDerivative"
>;

interface ReportRow {
  event_id: string;
  sha256: string;
  reporter: string;
  type: string | null;
  content: string;
  received: number;
}

function toRecord(row: ReportRow): ReportRecord {
  return {
    eventId: row.event_id,
    sha256: row.sha256,
    reporter: row.reporter,
    type: row.type,
    content: row.content,
    receivedSec: row.received,
  };
}

export function sqliteModeration(sqlite: Database): Moderation {
  const insert = sqlite.prepare(
    "INSERT OR IGNORE INTO reports (event_id, sha256, reporter, type, content, received) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const list = sqlite.prepare<ReportRow, [number]>(
    "SELECT * FROM reports ORDER BY received DESC, event_id, sha256 LIMIT ?",
  );
  const dismissEvent = sqlite.prepare("DELETE FROM reports WHERE event_id = ?");
  const dismissBlob = sqlite.prepare("DELETE FROM reports WHERE sha256 = ?");
  const ban = sqlite.prepare(
    "INSERT OR REPLACE INTO bans (sha256, reason, banned) VALUES (?, ?, ?)",
  );
  const banned = sqlite.prepare<{ sha256: string }, [string]>(
    "SELECT sha256 FROM bans WHERE sha256 = ?",
  );
  const putDerivative = sqlite.prepare(
    "INSERT OR REPLACE INTO derivatives (original, result, thumb, dim, blurhash) VALUES (?, ?, ?, ?, ?)",
  );
  const getDerivative = sqlite.prepare<Derivative, [string]>(
    "SELECT original, result, thumb, dim, blurhash FROM derivatives WHERE original = ?",
  );
  const addAll = sqlite.transaction((rows: readonly ReportRecord[]) => {
    let added = 0;
    for (const r of rows) {
      added += insert.run(
        r.eventId,
        r.sha256,
        r.reporter,
        r.type,
        r.content,
        r.receivedSec,
      ).changes;
    }
    return added;
  });
  return {
    addReports: async (rows) => addAll.immediate(rows),
    listReports: async (limit) => list.all(limit).map(toRecord),
    dismissReports: async (filter) =>
      "eventId" in filter
        ? dismissEvent.run(filter.eventId).changes
        : dismissBlob.run(filter.sha256).changes,
    ban: async (sha256, reason, nowSec) => {
      ban.run(sha256, reason, nowSec);
    },
    isBanned: async (sha256) => banned.get(sha256) !== null,
    recordDerivative: async (d) => {
      putDerivative.run(d.original, d.result, d.thumb, d.dim, d.blurhash);
    },
    findDerivative: async (original) => getDerivative.get(original) ?? null,
  };
}
