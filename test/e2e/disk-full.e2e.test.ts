// R7: the data dir on a 16 MiB tmpfs, filled until full. Every upload is 2xx and readable, or 503
// with Retry-After and X-Reason; no partial file; the index stays intact; space comes back.

import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { startBinary } from "../support/binary.ts";
import { deleteBlob, uploadBlob } from "../support/blossom.ts";
import { randomBlob, testKeys } from "../support/nostr.ts";
import { tempDir } from "../support/temp-dir.ts";

function mountTmpfs(path: string): string | null {
  if (process.getuid?.() !== 0) return "needs root to mount a tmpfs";
  const mount = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", path]);
  return mount.exitCode === 0 ? null : `mount failed: ${mount.stderr.toString().trim()}`;
}

test("R7: disk full → 503 + Retry-After, never a partial file; GET keeps working; space comes back", async () => {
  await using dir = await tempDir("hanami-r7-");
  const skipped = mountTmpfs(dir.path);
  if (skipped !== null) {
    console.log(`R7 skipped: ${skipped}`);
    return;
  }
  try {
    await using server = await startBinary({
      dataDir: dir.path,
      env: { HANAMI_STORAGE_RESERVE_FREE_BYTES: String(1024 * 1024) },
    });
    const accepted: Array<{ sha256: string; bytes: Uint8Array }> = [];
    let refused = 0;
    for (let i = 0; i < 20; i++) {
      const blob = randomBlob(1536 * 1024);
      const res = await uploadBlob(server, testKeys.alice, blob.bytes);
      if (res.status === 201) {
        accepted.push(blob);
        continue;
      }
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).not.toBeNull();
      expect(res.headers.get("x-reason")).toContain("storage full");
      refused++;
    }
    expect(accepted.length).toBeGreaterThan(3);
    expect(refused).toBeGreaterThan(0);
    expect(await readdir(join(dir.path, "tmp"))).toEqual([]);
    for (const blob of accepted) {
      const res = await server.fetch(`/${blob.sha256}`);
      expect(res.status).toBe(200);
      expect(new Bun.CryptoHasher("sha256").update(await res.arrayBuffer()).digest("hex")).toBe(
        blob.sha256,
      );
    }
    for (const blob of accepted.slice(0, 3)) {
      expect((await deleteBlob(server, testKeys.alice, blob.sha256)).status).toBe(204);
    }
    const after = randomBlob(1536 * 1024);
    expect((await uploadBlob(server, testKeys.alice, after.bytes)).status).toBe(201);
    await server.stop();
    const db = new Database(join(dir.path, "index.sqlite"), { readonly: true });
    expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    db.close();
    console.log(`R7: ${accepted.length + 1} accepted, ${refused} refused with 503`);
  } finally {
    Bun.spawnSync(["umount", dir.path]);
  }
}, 60_000);

test("R7: with no reserve, ENOSPC in mid-stream is a 503 with no partial file and the process lives on", async () => {
  await using dir = await tempDir("hanami-r7b-");
  const skipped = mountTmpfs(dir.path);
  if (skipped !== null) {
    console.log(`R7 skipped: ${skipped}`);
    return;
  }
  try {
    await using server = await startBinary({
      dataDir: dir.path,
      env: { HANAMI_STORAGE_RESERVE_FREE_BYTES: "0" },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      const res = await uploadBlob(server, testKeys.bob, randomBlob(1536 * 1024).bytes);
      statuses.push(res.status);
      if (res.status !== 201) expect(res.headers.get("retry-after")).not.toBeNull();
    }
    expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);
    expect(statuses).toContain(503);
    expect(await readdir(join(dir.path, "tmp"))).toEqual([]);
    expect((await server.fetch("/")).status).toBe(200);
    expect(server.proc.exitCode).toBeNull();
  } finally {
    Bun.spawnSync(["umount", dir.path]);
  }
}, 60_000);
