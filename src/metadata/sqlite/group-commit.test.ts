import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../../../test/support/temp-dir.ts";
import { IndexNotDurableError } from "../metadata-store.ts";
import { createGroupCommit, type GroupCommit } from "./group-commit.ts";

let sqlite: Database;
let writes: GroupCommit;
const insert = (key: string) => sqlite.run("INSERT INTO t (k) VALUES (?)", [key]);
const keys = () => sqlite.query<{ k: string }, []>("SELECT k FROM t ORDER BY k").all();

beforeEach(() => {
  sqlite = new Database(":memory:");
  sqlite.run("CREATE TABLE t (k TEXT PRIMARY KEY)");
  writes = createGroupCommit(sqlite, { walPath: null });
});
afterEach(() => sqlite.close());

test("writes queued in one turn run in one transaction before any of them settles", async () => {
  const events: string[] = [];
  const queue = (key: string) =>
    writes
      .run(() => {
        events.push(`write ${key} in transaction: ${sqlite.inTransaction}`);
        insert(key);
        return key;
      })
      .then((value) => events.push(`settled ${value}`));
  await Promise.all([queue("a"), queue("b")]);
  expect(events).toEqual([
    "write a in transaction: true",
    "write b in transaction: true",
    "settled a",
    "settled b",
  ]);
  expect(keys()).toEqual([{ k: "a" }, { k: "b" }]);
});

test("a write that throws is rolled back and rejected alone", async () => {
  const good = writes.run(() => insert("a"));
  const bad = writes.run(() => {
    insert("b");
    throw new Error("refused");
  });
  const duplicate = writes.run(() => insert("a")); // primary key violation
  const [goodOutcome, badOutcome, duplicateOutcome] = await Promise.allSettled([
    good,
    bad,
    duplicate,
  ]);
  expect(goodOutcome.status).toBe("fulfilled");
  expect(badOutcome).toMatchObject({ status: "rejected", reason: { message: "refused" } });
  expect(duplicateOutcome).toMatchObject({
    status: "rejected",
    reason: { code: "SQLITE_CONSTRAINT_PRIMARYKEY" },
  });
  expect(keys()).toEqual([{ k: "a" }]);
});

test("a later turn starts a new batch; flush commits what is queued at once", async () => {
  await writes.run(() => insert("a"));
  const queued = writes.run(() => insert("b"));
  const flushed = writes.flush();
  expect(keys()).toEqual([{ k: "a" }, { k: "b" }]);
  await flushed;
  await queued;
});

test("on a WAL database a batch settles after the WAL is synced; other writes stay FULL", async () => {
  await using dir = await tempDir("group-commit-");
  const path = join(dir.path, "index.sqlite");
  const file = new Database(path, { create: true });
  file.run("PRAGMA journal_mode = WAL");
  file.run("PRAGMA synchronous = FULL");
  file.run("CREATE TABLE t (k TEXT PRIMARY KEY)");
  const fileWrites = createGroupCommit(file, { walPath: `${path}-wal` });
  const results = await Promise.all(
    ["a", "b", "c"].map((key) =>
      fileWrites.run(() => file.run("INSERT INTO t (k) VALUES (?)", [key]).changes),
    ),
  );
  expect(results).toEqual([1, 1, 1]);
  expect(file.query("PRAGMA synchronous").get()).toEqual({ synchronous: 2 }); // FULL
  file.close();
  const reopened = new Database(path);
  expect(reopened.query("SELECT count(*) AS n FROM t").get()).toEqual({ n: 3 });
  reopened.close();
});

test("a WAL that cannot be synced rejects the batch instead of acknowledging it", async () => {
  const missing = createGroupCommit(sqlite, { walPath: "/nonexistent/index.sqlite-wal" });
  await expect(missing.run(() => insert("a"))).rejects.toBeInstanceOf(IndexNotDurableError);
  expect(keys()).toEqual([{ k: "a" }]); // committed: the caller must keep what the row names
});
