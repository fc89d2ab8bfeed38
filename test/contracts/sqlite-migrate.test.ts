// An index written by an earlier release opens, migrates and lists as before: migration 4 copies
// each blob's size and type into its owner rows.
import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { join } from "node:path";
import init from "../../src/metadata/sqlite/migrations/0001_init.sql" with { type: "text" };
import reports from "../../src/metadata/sqlite/migrations/0002_reports.sql" with { type: "text" };
import media from "../../src/metadata/sqlite/migrations/0003_media.sql" with { type: "text" };
import { openSqliteStore } from "../../src/metadata/sqlite/sqlite-store.ts";
import { tempDir } from "../support/temp-dir.ts";

/** An index as release 3 left it: its schema, one blob with two owners and one without. */
function writeVersion3Index(path: string): void {
  const sqlite = new Database(path);
  sqlite.run(
    "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
  );
  [init, reports, media].forEach((sql, index) => {
    for (const statement of sql.split("--> statement-breakpoint")) {
      if (statement.trim() !== "") sqlite.run(statement);
    }
    sqlite.run("INSERT INTO schema_migrations VALUES (?, 1)", [index + 1]);
  });
  const insertBlob = sqlite.prepare("INSERT INTO blobs VALUES (?, ?, ?, ?)");
  insertBlob.run("a".repeat(64), 10, "image/png", 100);
  insertBlob.run("b".repeat(64), 20, "text/plain", 200);
  const insertOwner = sqlite.prepare(
    "INSERT INTO owners (sha256, pubkey, added, uploaded) VALUES (?, ?, ?, ?)",
  );
  insertOwner.run("a".repeat(64), "1".repeat(64), 100, 100);
  insertOwner.run("a".repeat(64), "2".repeat(64), 150, 100);
  sqlite.close();
}

test("an index of release 3 migrates and lists every owner's blobs with size and type", async () => {
  await using dir = await tempDir("hanami-migrate-");
  const path = join(dir.path, "index.sqlite");
  writeVersion3Index(path);
  const store = openSqliteStore({ path, nowSec: 1 });
  const expected = [{ sha256: "a".repeat(64), size: 10, type: "image/png", uploadedSec: 100 }];
  expect(await store.listByOwner("1".repeat(64), { limit: 10 })).toEqual(expected);
  expect(await store.listByOwner("2".repeat(64), { limit: 10 })).toEqual(expected);
  expect(await store.getBlob("b".repeat(64))).toEqual({
    sha256: "b".repeat(64),
    size: 20,
    type: "text/plain",
    uploadedSec: 200,
  });
  await store.close();
});
