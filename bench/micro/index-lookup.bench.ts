// Index lookup by hash, the first step of every GET and HEAD: the drizzle prepared statement
// against a raw bun:sqlite prepared statement, on the migrated schema with 1,000 and 100,000 rows.
// Also `PRAGMA data_version`, the cheapest question "did another process change the index?", and
// one pubkey's /list page of 1,000 rows through the store (BUD-12).
// Run alone: `bun bench/micro/index-lookup.bench.ts`.
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { bench, do_not_optimize, group, run, summary } from "mitata";
import { migrate } from "../../src/metadata/sqlite/migrate.ts";
import { blobs } from "../../src/metadata/sqlite/schema.ts";
import { openSqliteStore } from "../../src/metadata/sqlite/sqlite-store.ts";

const dir = mkdtempSync(join(tmpdir(), "hanami-bench-index-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

const LIST_OWNER = "b".repeat(64);
const hashOf = (index: number) =>
  new Bun.CryptoHasher("sha256").update(String(index)).digest("hex");

/** A migrated index with `rows` blobs (1,000 of them LIST_OWNER's), with the server's pragmas. */
function indexWith(rows: number): Database {
  const sqlite = new Database(join(dir, `index-${rows}.sqlite`), { create: true, strict: true });
  for (const pragma of ["journal_mode = WAL", "cache_size = -65536", "mmap_size = 268435456"]) {
    sqlite.run(`PRAGMA ${pragma}`);
  }
  migrate(sqlite, 1_700_000_000);
  const insert = sqlite.prepare(
    "INSERT INTO blobs (sha256, size, type, uploaded) VALUES (?, ?, ?, ?)",
  );
  const own = sqlite.prepare(
    "INSERT INTO owners (sha256, pubkey, added, uploaded) VALUES (?, ?, ?, ?)",
  );
  sqlite.transaction(() => {
    for (let index = 0; index < rows; index++) {
      const uploaded = 1_700_000_000 + index;
      insert.run(hashOf(index), 1024, "application/octet-stream", uploaded);
      own.run(hashOf(index), index < 1000 ? LIST_OWNER : "c".repeat(64), uploaded, uploaded);
    }
  })();
  return sqlite;
}

for (const rows of [1_000, 100_000]) {
  const sqlite = indexWith(rows);
  const hashes = Array.from({ length: 1024 }, (_, index) => hashOf((index * 7919) % rows));
  const drizzleGet = drizzle({ client: sqlite })
    .select({
      sha256: blobs.sha256,
      size: blobs.size,
      type: blobs.type,
      uploadedSec: blobs.uploaded,
    })
    .from(blobs)
    .where(eq(blobs.sha256, sql.placeholder("sha256")))
    .prepare();
  const rawGet = sqlite.prepare(
    "SELECT sha256, size, type, uploaded AS uploadedSec FROM blobs WHERE sha256 = ?",
  );
  const dataVersion = sqlite.prepare("PRAGMA data_version");
  let at = 0;
  const nextHash = () => hashes[at++ & 1023] as string;
  group(`lookup by sha256, ${rows.toLocaleString("en")} rows`, () => {
    summary(() => {
      bench("drizzle prepared .get", () => do_not_optimize(drizzleGet.get({ sha256: nextHash() })));
      bench("raw bun:sqlite prepared .get", () => do_not_optimize(rawGet.get(nextHash())));
      bench("raw, a miss (the 404 path)", () => do_not_optimize(rawGet.get("f".repeat(64))));
      bench("PRAGMA data_version", () => do_not_optimize(dataVersion.get()));
    });
  });
  const store = openSqliteStore({ path: join(dir, `index-${rows}.sqlite`), nowSec: 1 });
  group(`list page of 1,000 rows of one pubkey, ${rows.toLocaleString("en")} rows`, () => {
    bench("store.listByOwner limit 1000", async () =>
      do_not_optimize(await store.listByOwner(LIST_OWNER, { limit: 1000 })),
    );
  });
}

if (import.meta.main) await run({ colors: false });
