// R10: kill -9 during an image job, during an ffmpeg job and while a mirror streams, against the
// binary. After each restart: no derivative row without its blobs, no ffmpeg left working in the
// data dir, no temp files; at the end fsck finds nothing to repair.

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { BINARY, type RunningServer, startBinary } from "../support/binary.ts";
import { putMedia } from "../support/blossom.ts";
import { randomBlob, signToken, testKeys } from "../support/nostr.ts";
import { type TempDir, tempDir } from "../support/temp-dir.ts";
import {
  encodersOf,
  heavyClip,
  processesMentioning,
  videoToolsMissing,
  waitFor,
} from "../support/video.ts";

const IMAGE_CYCLES = 20;
const FFMPEG_CYCLES = 15;
const MIRROR_CYCLES = 15;

let data: TempDir;
let origin: ReturnType<typeof Bun.serve>;
/** Resolved by the origin once a mirror download is under way. */
let streaming = Promise.withResolvers<void>();

beforeAll(async () => {
  data = await tempDir("hanami-r10-");
  origin = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch() {
      let sent = 0;
      return new Response(
        new ReadableStream({
          async pull(controller) {
            if (sent === 0) {
              controller.enqueue(randomBlob(64 * 1024).bytes);
              streaming.resolve();
            } else {
              await Bun.sleep(200);
              controller.enqueue(randomBlob(1024).bytes);
            }
            sent++;
          },
        }),
        { headers: { "content-type": "application/octet-stream" } },
      );
    },
  });
});
afterAll(async () => {
  origin.stop(true);
  await data[Symbol.asyncDispose]();
});

const start = () =>
  startBinary({
    dataDir: data.path,
    env: { HANAMI_MIRROR_ALLOW_HOSTS: `127.0.0.1:${origin.port}` },
  });

/** A request whose connection may die with the server: settles either way. */
const inFlight = (request: Promise<Response>) =>
  request.then(
    (response) => response.status,
    () => "connection closed",
  );

async function crash(server: RunningServer, request: Promise<unknown>): Promise<void> {
  server.proc.kill("SIGKILL");
  await server.proc.exited;
  await request;
}

const blobPath = (sha256: string) =>
  join(data.path, "blobs", sha256.slice(0, 2), sha256.slice(2, 4), sha256);

interface Audit {
  derivatives: number;
  /** Result or thumbnail hashes named by a derivative row but without a row or a file. */
  missing: string[];
  tempFiles: string[];
  ffmpegLeft: number;
}

/** The R10 invariants, read from the index and the disk of a running, just-recovered server. */
async function audit(): Promise<Audit> {
  const db = new Database(join(data.path, "index.sqlite"), { readonly: true });
  const rows = db.query("SELECT result, thumb FROM derivatives").all() as Array<{
    result: string;
    thumb: string;
  }>;
  const stored = new Set(
    (db.query("SELECT sha256 FROM blobs").all() as Array<{ sha256: string }>).map((r) => r.sha256),
  );
  db.close();
  const missing: string[] = [];
  for (const sha256 of rows.flatMap((row) => [row.result, row.thumb])) {
    if (!stored.has(sha256) || !(await Bun.file(blobPath(sha256)).exists())) missing.push(sha256);
  }
  return {
    derivatives: rows.length,
    missing,
    tempFiles: await readdir(join(data.path, "tmp")),
    ffmpegLeft: (await processesMentioning(join(data.path, "tmp"))).length,
  };
}

const clean = (found: Audit) => ({ ...found, derivatives: 0 });
const CLEAN = { derivatives: 0, missing: [], tempFiles: [], ffmpegLeft: 0 };

async function noisyJpeg(width: number, height: number): Promise<Uint8Array> {
  const noise = Buffer.from(randomBlob(width * height * 3).bytes);
  return new Uint8Array(
    await sharp(noise, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer(),
  );
}

describe("R10: kill -9 in media and mirror work", () => {
  test(`R10: ${IMAGE_CYCLES} kills during image jobs`, async () => {
    // One uncontended job first, so the kill points spread over the real processing window.
    await using server = await start();
    const startedMs = performance.now();
    expect((await putMedia(server, await noisyJpeg(3000, 2000), "image/jpeg")).status).toBe(201);
    const jobMs = performance.now() - startedMs;
    await server.stop();
    for (let cycle = 0; cycle < IMAGE_CYCLES; cycle++) {
      const image = await noisyJpeg(3000, 2000);
      await using running = await start();
      expect(clean(await audit())).toEqual(CLEAN);
      const request = inFlight(putMedia(running, image, "image/jpeg"));
      await Bun.sleep(jobMs * (0.15 + (0.7 * cycle) / (IMAGE_CYCLES - 1))); // the crash point
      await crash(running, request);
    }
    await using after = await start();
    const found = await audit();
    await after.stop();
    expect(found.derivatives).toBeGreaterThanOrEqual(1);
    expect(clean(found)).toEqual(CLEAN);
    console.log(`R10: image job ${Math.round(jobMs)} ms; ${IMAGE_CYCLES} kills; 0 orphans`);
  }, 120_000);

  test.skipIf(videoToolsMissing !== null)(
    `R10: ${FFMPEG_CYCLES} kills during ffmpeg jobs; the orphaned ffmpeg is killed at restart`,
    async () => {
      const clip = await heavyClip(data.path);
      let orphans = 0;
      for (let cycle = 0; cycle < FFMPEG_CYCLES; cycle++) {
        await using server = await start();
        expect(clean(await audit())).toEqual(CLEAN);
        const request = inFlight(putMedia(server, clip, "video/mp4"));
        const ffmpeg = await waitFor(() => encodersOf(server.proc.pid), 20_000);
        expect(ffmpeg).toHaveLength(1);
        await crash(server, request);
        // The child outlives its server: this is what start-up must clean up.
        orphans += (await processesMentioning(join(data.path, "tmp"))).length;
      }
      await using after = await start();
      const found = await audit();
      expect(after.output()).toContain('"videoProcessesKilled":1');
      await after.stop();
      expect(clean(found)).toEqual(CLEAN);
      expect(orphans).toBe(FFMPEG_CYCLES);
      console.log(`R10: ${FFMPEG_CYCLES} kills mid-ffmpeg; ${orphans} orphans, all reaped`);
    },
    60_000,
  );

  test(`R10: ${MIRROR_CYCLES} kills while a mirror streams`, async () => {
    for (let cycle = 0; cycle < MIRROR_CYCLES; cycle++) {
      await using server = await start();
      expect(clean(await audit())).toEqual(CLEAN);
      streaming = Promise.withResolvers<void>();
      const sha256 = randomBlob(32).sha256;
      const request = inFlight(
        server.fetch("/mirror", {
          method: "PUT",
          headers: {
            authorization: signToken(testKeys.bob, { verb: "upload", x: [sha256] }),
            "content-type": "application/json",
          },
          body: JSON.stringify({ url: `http://127.0.0.1:${origin.port}/slow/${cycle}` }),
        }),
      );
      await streaming.promise;
      const staged = await waitFor(() => readdir(join(data.path, "tmp")), 10_000);
      expect(staged.length).toBeGreaterThan(0); // a temp file is being written
      await crash(server, request);
    }
    await using after = await start();
    const found = await audit();
    await after.stop();
    expect(clean(found)).toEqual(CLEAN);
    const fsck = Bun.spawnSync([BINARY, "fsck", "--data-dir", data.path], {
      env: { PATH: process.env.PATH ?? "", HANAMI_STORAGE_RESERVE_FREE_BYTES: "0" },
    });
    const text = fsck.stdout.toString();
    expect(JSON.parse(text.slice(text.indexOf("{")))).toMatchObject({
      corrupt: [],
      orphans: [],
      dangling: [],
    });
  }, 120_000);
});

describe.skipIf(videoToolsMissing !== null)("R11 with media: SIGTERM during an ffmpeg job", () => {
  test("R11: past the drain time, shutdown kills ffmpeg itself; nothing is left to reap", async () => {
    await using dir = await tempDir("hanami-r11-video-");
    const clip = await heavyClip(dir.path);
    await using server = await startBinary({ args: ["--set", "http.drainTimeoutMs=200"] });
    const request = inFlight(putMedia(server, clip, "video/mp4"));
    expect(await waitFor(() => encodersOf(server.proc.pid), 20_000)).toHaveLength(1);
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(["connection closed", 503, 422]).toContain(await request);
    // SIGKILL lands asynchronously; bounded wait for the group to be gone.
    const left = async () => {
      const found = await processesMentioning(join(server.dataDir, "tmp"));
      return found.length > 0 ? [] : [true];
    };
    expect(await waitFor(left, 2_000)).toEqual([true]);
  }, 120_000);
});
