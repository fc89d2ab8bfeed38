// R1 (kill -9 during concurrent uploads), R3 (start-up recovery and fsck on a seeded data dir),
// R5 (50 parallel uploads of one blob) and R11 (SIGTERM drains), against the binary.
import { describe, expect, test } from "bun:test";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BINARY, type RunningServer, startBinary } from "../support/binary.ts";
import { uploadBlob } from "../support/blossom.ts";
import { randomBlob, testKeys } from "../support/nostr.ts";
import { tempDir } from "../support/temp-dir.ts";

const keys = [testKeys.alice, testKeys.bob, testKeys.carol];

function fsck(dataDir: string, repair = false) {
  const run = Bun.spawnSync(
    [BINARY, "fsck", "--data-dir", dataDir, ...(repair ? ["--repair"] : [])],
    {
      env: { PATH: process.env.PATH ?? "", HANAMI_STORAGE_RESERVE_FREE_BYTES: "0" },
    },
  );
  const text = run.stdout.toString();
  const report = JSON.parse(text.slice(text.indexOf("{"))) as {
    checked: number;
    corrupt: string[];
    orphans: string[];
    dangling: string[];
  };
  return { exitCode: run.exitCode, report };
}

function sha256Of(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}

/** A blob of 256 KiB–2 MiB made unique by a counter, or a repeat of an earlier one. */
function makeBlobs(count: number, base: Uint8Array, seed: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => {
    const size = 256 * 1024 + ((seed * 7919 + i * 104729) % (1792 * 1024));
    const bytes = base.slice(0, size);
    new DataView(bytes.buffer).setUint32(0, i % 5 === 4 ? 0 : seed * 16 + i); // some share content
    return bytes;
  });
}

describe("R1: kill -9 during concurrent uploads", () => {
  const CYCLES = 200;
  test(`R1: ${CYCLES} kill -9 cycles leave 0 corrupt, 0 dangling, 0 orphans, 0 lost, 0 temp files`, async () => {
    await using data = await tempDir("hanami-r1-");
    const base = randomBlob(2 * 1024 * 1024).bytes;
    const acknowledged = new Map<string, number>();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const server = await startBinary({ dataDir: data.path });
      const blobs = makeBlobs(4 + (cycle % 5), base, cycle);
      const uploads = blobs.map(async (bytes, i) => {
        try {
          const res = await uploadBlob(server, keys[i % 3] as (typeof keys)[number], bytes);
          if (res.status === 200 || res.status === 201)
            acknowledged.set(sha256Of(bytes), bytes.byteLength);
        } catch {
          // the connection died with the process: not acknowledged
        }
      });
      await Bun.sleep(cycle % 61); // the crash point: 0–60 ms into the burst, not a readiness wait
      server.proc.kill("SIGKILL");
      await server.proc.exited;
      await Promise.all(uploads);
    }
    const server = await startBinary({ dataDir: data.path });
    const lost: string[] = [];
    for (const [sha256, size] of acknowledged) {
      const res = await server.fetch(`/${sha256}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (res.status !== 200 || bytes.byteLength !== size || sha256Of(bytes) !== sha256)
        lost.push(sha256);
    }
    await server.stop();
    const { report } = fsck(data.path);
    const tempLeft = await readdir(join(data.path, "tmp"));
    expect({
      lost,
      corrupt: report.corrupt,
      dangling: report.dangling,
      orphans: report.orphans,
      tempLeft,
    }).toEqual({
      lost: [],
      corrupt: [],
      dangling: [],
      orphans: [],
      tempLeft: [],
    });
    // The loop really stored things (about one per cycle on a quiet 2-core machine, fewer on a busy one).
    expect(acknowledged.size).toBeGreaterThan(CYCLES / 4);
    console.log(`R1: ${CYCLES} kill -9 cycles, ${acknowledged.size} uploads acknowledged: 0/0/0/0`);
  }, 240_000);
});

describe("R3: start-up recovery and fsck", () => {
  test("R3: temp files, wrong-hash files, dangling rows and orphans are resolved at start-up", async () => {
    await using data = await tempDir("hanami-r3-");
    const kept = randomBlob(3000);
    const doomed = randomBlob(2000);
    const first = await startBinary({ dataDir: data.path });
    expect((await uploadBlob(first, testKeys.alice, kept.bytes)).status).toBe(201);
    expect((await uploadBlob(first, testKeys.alice, doomed.bytes)).status).toBe(201);
    await first.stop("SIGKILL"); // a crash: a clean stop would let the next start skip the scan

    const shardOf = (sha256: string) =>
      join(data.path, "blobs", sha256.slice(0, 2), sha256.slice(2, 4));
    // A row without a file: the disk lost the doomed blob.
    await Bun.file(join(shardOf(doomed.sha256), doomed.sha256)).delete();
    // A valid file without a row, a file under a wrong name, a truncated copy, temp files.
    const orphan = randomBlob(1000);
    const wrong = randomBlob(1000);
    const liar = "f".repeat(64);
    await mkdir(shardOf(orphan.sha256), { recursive: true });
    await writeFile(join(shardOf(orphan.sha256), orphan.sha256), orphan.bytes);
    await mkdir(shardOf(liar), { recursive: true });
    await writeFile(join(shardOf(liar), liar), wrong.bytes);
    await writeFile(join(data.path, "tmp", "half-written-upload"), randomBlob(10).bytes);

    const before = fsck(data.path);
    expect(before.exitCode).toBe(1);
    expect(before.report).toMatchObject({
      corrupt: [liar],
      orphans: [orphan.sha256],
      dangling: [doomed.sha256],
    });

    await using server = await startBinary({ dataDir: data.path });
    expect((await server.fetch(`/${kept.sha256}`)).status).toBe(200);
    expect((await server.fetch(`/${doomed.sha256}`)).status).toBe(404); // I2: never a 200 without bytes
    expect((await server.fetch(`/${liar}`)).status).toBe(404); // I1
    expect((await server.fetch(`/${orphan.sha256}`)).status).toBe(200); // adopted, ownerless
    expect(await readdir(join(data.path, "tmp"))).toEqual([]);
    const recovery = server
      .output()
      .split("\n")
      .find((line) => line.includes('"event":"recovery"'));
    expect(JSON.parse(recovery ?? "{}")).toMatchObject({
      tempFilesRemoved: 1,
      danglingRowsRemoved: 1,
      orphansAdopted: 1,
      corruptOrphansRemoved: 1,
    });
    await server.stop();
    expect(fsck(data.path)).toEqual({
      exitCode: 0,
      report: expect.objectContaining({ corrupt: [], orphans: [], dangling: [] }),
    });
  });

  test("R3: after a clean stop the next start only clears temp files; after kill -9 it scans", async () => {
    await using data = await tempDir("hanami-r3c-");
    const recoveryOf = (server: RunningServer) =>
      JSON.parse(
        server
          .output()
          .split("\n")
          .find((line) => line.includes('"event":"recovery"')) ?? "{}",
      ) as { fullScan?: boolean; tempFilesRemoved?: number };
    const first = await startBinary({ dataDir: data.path });
    expect(recoveryOf(first).fullScan).toBe(true); // a new data dir has no marker
    expect((await uploadBlob(first, testKeys.alice, randomBlob(500).bytes)).status).toBe(201);
    expect(await first.stop()).toBe(0);
    await writeFile(join(data.path, "tmp", "left-behind"), randomBlob(10).bytes);

    const second = await startBinary({ dataDir: data.path });
    expect(recoveryOf(second)).toMatchObject({ fullScan: false, tempFilesRemoved: 1 });
    await second.stop("SIGKILL");

    await using third = await startBinary({ dataDir: data.path });
    expect(recoveryOf(third).fullScan).toBe(true); // the marker was taken by the second start
  });

  test("R3: fsck finds a flipped byte and a truncated file under correct names; --repair removes them", async () => {
    await using data = await tempDir("hanami-r3b-");
    const flipped = randomBlob(4096);
    const truncated = randomBlob(4096);
    const server = await startBinary({ dataDir: data.path });
    expect((await uploadBlob(server, testKeys.bob, flipped.bytes)).status).toBe(201);
    expect((await uploadBlob(server, testKeys.bob, truncated.bytes)).status).toBe(201);
    await server.stop();
    const pathOf = (sha256: string) =>
      join(data.path, "blobs", sha256.slice(0, 2), sha256.slice(2, 4), sha256);
    const bytes = new Uint8Array(await Bun.file(pathOf(flipped.sha256)).arrayBuffer());
    bytes[100] = (bytes[100] ?? 0) ^ 0xff;
    await writeFile(pathOf(flipped.sha256), bytes);
    await writeFile(pathOf(truncated.sha256), truncated.bytes.slice(0, 1000));
    const corrupt = [flipped.sha256, truncated.sha256].sort();
    expect(fsck(data.path).report.corrupt.sort()).toEqual(corrupt);
    expect(fsck(data.path, true).report.corrupt.sort()).toEqual(corrupt);
    expect(fsck(data.path).report).toMatchObject({
      checked: 0,
      corrupt: [],
      dangling: [],
      orphans: [],
    });
  });
});

test("R3: a file cut short behind the index's back is served with the length it has", async () => {
  await using data = await tempDir("hanami-r3c-");
  const small = randomBlob(4096); // read whole into memory when its size is right
  const large = randomBlob(200 * 1024); // served from its file
  const first = await startBinary({ dataDir: data.path });
  for (const blob of [small, large]) {
    expect((await uploadBlob(first, testKeys.bob, blob.bytes)).status).toBe(201);
  }
  await first.stop();
  for (const blob of [small, large]) {
    const path = join(data.path, "blobs", blob.sha256.slice(0, 2), blob.sha256.slice(2, 4));
    await writeFile(join(path, blob.sha256), blob.bytes.slice(0, 1000));
  }
  await using server = await startBinary({ dataDir: data.path });
  for (const blob of [small, large]) {
    const res = await server.fetch(`/${blob.sha256}`);
    expect(res.headers.get("content-length")).toBe("1000");
    expect((await res.arrayBuffer()).byteLength).toBe(1000);
    const head = await server.fetch(`/${blob.sha256}`, { method: "HEAD" });
    expect(head.headers.get("content-length")).toBe("1000");
  }
});

describe("R5: concurrent uploads of one blob", () => {
  test("R5: 50 parallel PUTs by 50 pubkeys → one 201, 49 200, one file, 50 owners", async () => {
    await using server = await startBinary({
      // All 50 come from 127.0.0.1: the per-client cap must not turn them away.
      args: [
        "--set",
        "upload.trustDeclaredHash=false",
        "--set",
        "upload.maxConcurrentPerClient=64",
      ],
    });
    const blob = randomBlob(8 * 1024 * 1024);
    const { schnorr } = await import("@noble/curves/secp256k1.js");
    const { bytesToHex } = await import("@noble/hashes/utils.js");
    const owners = Array.from({ length: 50 }, () => {
      const secretKey = schnorr.utils.randomSecretKey();
      return { secretKey, pubkey: bytesToHex(schnorr.getPublicKey(secretKey)) };
    });
    const statuses = await Promise.all(
      owners.map(async (key) => (await uploadBlob(server, key, blob.bytes)).status),
    );
    expect(statuses.filter((s) => s === 201).length).toBe(1);
    expect(statuses.filter((s) => s === 200).length).toBe(49);
    for (const key of owners) {
      const listed = (await (await server.fetch(`/list/${key.pubkey}`)).json()) as Array<{
        sha256: string;
      }>;
      expect(listed.map((d) => d.sha256)).toEqual([blob.sha256]);
    }
    const shard = join(server.dataDir, "blobs", blob.sha256.slice(0, 2), blob.sha256.slice(2, 4));
    expect(await readdir(shard)).toEqual([blob.sha256]);
    expect(await readdir(join(server.dataDir, "tmp"))).toEqual([]);
  }, 60_000);
});

describe("R11: graceful shutdown", () => {
  test("R11: SIGTERM with 20 uploads in flight: each completes or fails cleanly; exit 0; no temp files", async () => {
    const server = await startBinary();
    const blobs = Array.from({ length: 20 }, () => randomBlob(1024 * 1024));
    const results = blobs.map(async (blob) => {
      try {
        return (await uploadBlob(server, testKeys.alice, blob.bytes)).status;
      } catch {
        return "connection closed";
      }
    });
    const exitCode = await server.stop("SIGTERM");
    const outcomes = await Promise.all(results);
    expect(exitCode).toBe(0);
    for (const outcome of outcomes) expect([201, 200, 503, "connection closed"]).toContain(outcome);
    expect(await readdir(join(server.dataDir, "tmp"))).toEqual([]);
    // Every request finished within the drain time, refusals included: an unread upload body
    // must not hold its connection (and the stop) open.
    expect(server.output()).toContain('"event":"stopped","reason":"SIGTERM","drained":true');
    const restarted = await startBinary({ dataDir: server.dataDir });
    for (const [i, blob] of blobs.entries()) {
      if (outcomes[i] === 201 || outcomes[i] === 200) {
        expect((await restarted.fetch(`/${blob.sha256}`)).status).toBe(200);
      }
    }
    await restarted.stop();
    await server[Symbol.asyncDispose]();
  }, 30_000); // the drain may take seconds on a busy 2-core machine (drainTimeoutMs is 10 s)
});
