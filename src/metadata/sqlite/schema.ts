// The SQLite index (drizzle sqlite-core). `owners` copies the blob's first-stored time, size and
// type so that a user's list is one covering index range scan (P-16), with no blob lookups.
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const blobs = sqliteTable("blobs", {
  sha256: text("sha256").primaryKey(),
  size: integer("size").notNull(),
  type: text("type").notNull(),
  uploaded: integer("uploaded").notNull(),
});

export const owners = sqliteTable(
  "owners",
  {
    sha256: text("sha256")
      .notNull()
      .references(() => blobs.sha256, { onDelete: "cascade" }),
    pubkey: text("pubkey").notNull(),
    added: integer("added").notNull(),
    uploaded: integer("uploaded").notNull(),
    size: integer("size").notNull(),
    type: text("type").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.sha256, table.pubkey] }),
    index("owners_by_pubkey").on(
      table.pubkey,
      table.uploaded,
      table.sha256,
      table.size,
      table.type,
    ),
  ],
);
