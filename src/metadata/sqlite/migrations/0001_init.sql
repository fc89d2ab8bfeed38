CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY NOT NULL,
  size INTEGER NOT NULL,
  type TEXT NOT NULL,
  uploaded INTEGER NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE owners (
  sha256 TEXT NOT NULL REFERENCES blobs(sha256) ON DELETE CASCADE,
  pubkey TEXT NOT NULL,
  added INTEGER NOT NULL,
  uploaded INTEGER NOT NULL,
  PRIMARY KEY (sha256, pubkey)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX owners_by_pubkey ON owners (pubkey, uploaded DESC, sha256 ASC);
