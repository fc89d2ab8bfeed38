// /media without ffmpeg: video is refused with 415 and a reason, never a crash, while images
// keep working. Once with a PATH that holds no ffmpeg, once with a configured path that is wrong.
import { describe, expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { type RunningServer, startBinary } from "../support/binary.ts";
import { putMedia } from "../support/blossom.ts";
import { signToken, testKeys } from "../support/nostr.ts";
import { tempDir } from "../support/temp-dir.ts";
import { behindFtyp } from "../support/video.ts";

function preflight(server: RunningServer, type: string) {
  return server.fetch("/media", {
    method: "HEAD",
    headers: {
      authorization: signToken(testKeys.alice, { verb: "media", x: ["ef".repeat(32)] }),
      "x-sha-256": "ef".repeat(32),
      "x-content-type": type,
      "x-content-length": "1000",
    },
  });
}

async function png(): Promise<Uint8Array> {
  const buffer = await sharp({
    create: { width: 64, height: 48, channels: 3, background: { r: 10, g: 200, b: 90 } },
  })
    .png()
    .toBuffer();
  return new Uint8Array(buffer);
}

/** A body that sniffs as MP4; ffmpeg is never reached, so it need not be a real video. */
const mp4Looking = behindFtyp("x".repeat(4096));

async function expectVideoRefusedImagesServed(server: RunningServer) {
  const video = await putMedia(server, mp4Looking, "video/mp4");
  expect(video.status).toBe(415);
  expect(video.headers.get("x-reason")).toBe(
    "video processing is unavailable here (ffmpeg not found)",
  );
  const head = await preflight(server, "video/mp4");
  expect(head.status).toBe(415);
  expect(head.headers.get("x-reason")).toMatch(/ffmpeg not found/);
  expect((await preflight(server, "image/png")).status).toBe(200);
  const image = await putMedia(server, await png(), "image/png");
  expect(image.status).toBe(201);
  expect(((await image.json()) as { type: string }).type).toBe("image/webp");
  expect((await server.fetch("/")).status).toBe(200);
  expect(await readdir(join(server.dataDir, "tmp"))).toEqual([]);
}

describe("/media without ffmpeg", () => {
  test("a PATH without ffmpeg: video 415 with X-Reason, images still 201", async () => {
    // The binary needs nothing from PATH; an empty directory holds no ffmpeg or ffprobe.
    await using emptyBin = await tempDir("hanami-noffmpeg-path-");
    await using server = await startBinary({ env: { PATH: emptyBin.path } });
    await expectVideoRefusedImagesServed(server);
  });

  test("a configured ffmpegPath that does not exist: the same", async () => {
    await using server = await startBinary({
      args: ["--set", "media.ffmpegPath=/nonexistent/ffmpeg"],
    });
    await expectVideoRefusedImagesServed(server);
  });

  test("media.video=false: video 415 'not accepted here', images still 201", async () => {
    await using server = await startBinary({ args: ["--set", "media.video=false"] });
    const video = await putMedia(server, mp4Looking, "video/mp4");
    expect(video.status).toBe(415);
    expect(video.headers.get("x-reason")).toBe("video is not accepted here");
    expect((await preflight(server, "video/webm")).status).toBe(415);
    expect((await putMedia(server, await png(), "image/png")).status).toBe(201);
  });

  test("the token is still checked first: a wrong x is 401, not 415", async () => {
    await using server = await startBinary({
      args: ["--set", "media.ffmpegPath=/nonexistent/ffmpeg"],
    });
    const response = await server.fetch("/media", {
      method: "PUT",
      body: mp4Looking,
      headers: {
        authorization: signToken(testKeys.alice, { verb: "media", x: ["ab".repeat(32)] }),
        "content-type": "video/mp4",
      },
    });
    expect(response.status).toBe(401);
  });
});
