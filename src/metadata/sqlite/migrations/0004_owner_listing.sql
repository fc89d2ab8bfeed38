-- A user's list reads only the owners index: size and type are copied beside `uploaded`, so a
-- page of 1,000 no longer looks up 1,000 blob rows (docs/PERFORMANCE.md). A blob row never
-- changes while it has owners, so the copies cannot go stale.
ALTER TABLE owners ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
--> statement-breakpoint
ALTER TABLE owners ADD COLUMN type TEXT NOT NULL DEFAULT '';
--> statement-breakpoint
UPDATE owners SET
  size = (SELECT size FROM blobs WHERE blobs.sha256 = owners.sha256),
  type = (SELECT type FROM blobs WHERE blobs.sha256 = owners.sha256);
--> statement-breakpoint
DROP INDEX owners_by_pubkey;
--> statement-breakpoint
CREATE INDEX owners_by_pubkey ON owners (pubkey, uploaded DESC, sha256 ASC, size, type);
