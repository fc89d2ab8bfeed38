CREATE TABLE reports (
  event_id TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  reporter TEXT NOT NULL,
  type TEXT,
  content TEXT NOT NULL,
  received INTEGER NOT NULL,
  PRIMARY KEY (event_id, sha256)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX reports_by_received ON reports (received DESC);
--> statement-breakpoint
CREATE TABLE bans (
  sha256 TEXT PRIMARY KEY NOT NULL,
  reason TEXT NOT NULL,
  banned INTEGER NOT NULL
) WITHOUT ROWID;
