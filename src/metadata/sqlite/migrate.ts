// Embedded migrations: imported as text so they live inside the compiled binary (bun-stack §4).
import type { Database } from "bun:sqlite";
import init from "./migrations/0001_init.sql" with { type: "text" };
import reports from "./migrations/0002_reports.sql" with { type: "text" };
import media from "./migrations/0003_media.sql" with { type: "text" };
import ownerListing from "./migrations/0004_owner_listing.sql" with { type: "text" };

const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  { version: 1, sql: init },
  { version: 2, sql: reports },
  { version: 3, sql: media },
  { version: 4, sql: ownerListing },
];

/** Applies every migration newer than the database, each in its own transaction. */
export function migrate(sqlite: Database, nowSec: number): number[] {
  sqlite.run(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
  );
  const row = sqlite.query("SELECT max(version) AS version FROM schema_migrations").get() as {
    version: number | null;
  };
  const current = row.version ?? 0;
  const applied: number[] = [];
  for (const migration of MIGRATIONS.filter((m) => m.version > current)) {
    sqlite.transaction(() => {
      for (const statement of migration.sql.split("--> statement-breakpoint")) {
        if (statement.trim() !== "") sqlite.run(statement);
      }
      sqlite.run("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", [
        migration.version,
        nowSec,
      ]);
    })();
    applied.push(migration.version);
  }
  return applied;
}
