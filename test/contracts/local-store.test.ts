import { createLocalStore } from "../../src/storage/local-store.ts";
import { tempDir } from "../support/temp-dir.ts";
import { describeBlobStore } from "./blob-store.contract.ts";

describeBlobStore("local disk", async () => {
  const dir = await tempDir("hanami-store-");
  const store = await createLocalStore({ dataDir: dir.path, reserveFreeBytes: 0, fsync: true });
  return Object.assign(store, { [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose]() });
});
