import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { join } from "node:path";
import { openSqliteStore } from "../../src/metadata/sqlite/sqlite-store.ts";
import { tempDir } from "../support/temp-dir.ts";
import { describeMetadataStore } from "./metadata-store.contract.ts";

describeMetadataStore("SQLite", async () => {
  const dir = await tempDir("hanami-index-");
  const store = openSqliteStore({ path: join(dir.path, "index.sqlite"), nowSec: 1 });
  return Object.assign(store, {
    [Symbol.asyncDispose]: async () => {
      await store.close();
      await dir[Symbol.asyncDispose]();
    },
  });
});

const sha = (n: number) => n.toString(16).padStart(64, "0");
const record = (n: number) => ({ sha256: sha(n), size: n, type: "text/plain", uploadedSec: 5 });

test("getHotBlob answers only rows held in memory: never a lookup", async () => {
  await using dir = await tempDir("hanami-index-");
  const store = openSqliteStore({ path: join(dir.path, "index.sqlite"), nowSec: 1 });
  await store.recordUpload(record(4), null);
  expect(store.getHotBlob(sha(4))).toBeUndefined(); // stored, but not read yet
  await store.getBlob(sha(4));
  expect(store.getHotBlob(sha(4))).toEqual(record(4));
  await store.close();
});

test("hot rows: a read after removeOwner and forgetBlob answers null, never a remembered row", async () => {
  await using dir = await tempDir("hanami-index-");
  const store = openSqliteStore({ path: join(dir.path, "index.sqlite"), nowSec: 1 });
  await store.recordUpload(record(1), "a".repeat(64));
  await store.recordUpload(record(2), null);
  expect([await store.getBlob(sha(1)), await store.getBlob(sha(2))]).toEqual([
    record(1),
    record(2),
  ]);
  expect([store.getHotBlob(sha(1)), store.getHotBlob(sha(2))]).toEqual([record(1), record(2)]);
  expect(await store.removeOwner(sha(1), "a".repeat(64))).toBe("blob_removed");
  await store.forgetBlob(sha(2));
  expect([await store.getBlob(sha(1)), await store.getBlob(sha(2))]).toEqual([null, null]);
  expect([store.getHotBlob(sha(1)), store.getHotBlob(sha(2))]).toEqual([undefined, undefined]);
  await store.close();
});

test("hot rows: a row deleted by another connection (hanami fsck --repair) is not served", async () => {
  await using dir = await tempDir("hanami-index-");
  const path = join(dir.path, "index.sqlite");
  const store = openSqliteStore({ path, nowSec: 1, otherWritersCheckMs: 0 });
  await store.recordUpload(record(3), null);
  expect(await store.getBlob(sha(3))).toEqual(record(3));
  const other = new Database(path);
  other.run("DELETE FROM blobs WHERE sha256 = ?", [sha(3)]);
  other.close();
  expect(store.getHotBlob(sha(3))).toBeUndefined();
  expect(await store.getBlob(sha(3))).toBeNull();
  await store.close();
});
