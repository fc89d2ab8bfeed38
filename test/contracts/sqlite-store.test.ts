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
