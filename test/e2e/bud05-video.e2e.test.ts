// BUD-05 PUT /media for video against the binary, with real ffmpeg: videos made by ffmpeg here,
// S11 (location atoms dropped), S10 (playlists, concat lists, external references, declared
// giants, a job past its timeout) and the ffmpeg semaphore's 503.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { type RunningServer, startBinary } from "../support/binary.ts";
import { type MediaDescriptor, putMedia, tag } from "../support/blossom.ts";
import { signToken, testKeys } from "../support/nostr.ts";
import { type SyscallTrace, straceMissing, traceSyscalls } from "../support/strace.ts";
import { type TempDir, tempDir } from "../support/temp-dir.ts";
import {
  behindEbml,
  behindFtyp,
  childrenOf,
  encodersOf,
  ffprobe,
  ffprobeWarnings,
  filesUnder,
  heavyClip,
  makeVideo,
  processesMentioning,
  sha256Of,
  testPattern,
  videoToolsMissing,
  waitFor,
  withExternalDref,
} from "../support/video.ts";

if (videoToolsMissing !== null) console.warn(`bud05-video: ${videoToolsMissing}`);

const VIDEO_MAX_BYTES = 8 * 1024 * 1024;
const { alice, bob } = testKeys;
let server: RunningServer;
let work: TempDir;

describe.skipIf(videoToolsMissing !== null)("PUT /media transcodes video", () => {
  let original: Uint8Array<ArrayBuffer>;
  let descriptor: MediaDescriptor;
  let resultBytes: Uint8Array;

  beforeAll(async () => {
    work = await tempDir("hanami-video-");
    server = await startBinary({
      args: [
        "--set",
        `media.videoMaxBytes=${VIDEO_MAX_BYTES}`,
        "--set",
        "media.videoMaxDimension=320",
        "--set",
        `media.videoMaxPixels=${1920 * 1080}`,
      ],
    });
    // An iPhone-style MOV: a QuickTime location atom, an mdta ISO 6709 key and a title.
    original = await makeVideo(work.path, "phone.mov", [
      ...testPattern(480, 270, 2),
      "-c:v",
      "libx264",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      "-metadata",
      "location=+48.8584+002.2945/",
      "-metadata",
      "com.apple.quicktime.location.ISO6709=+48.8584+002.2945+035.000/",
      "-metadata",
      "title=HanamiSecretTitle",
      "-movflags",
      "use_metadata_tags",
    ]);
    const response = await putMedia(server, original, "video/quicktime");
    expect(response.status).toBe(201);
    descriptor = (await response.json()) as MediaDescriptor;
    resultBytes = new Uint8Array(await (await server.fetch(`/${descriptor.sha256}`)).arrayBuffer());
    await Bun.write(join(work.path, "result.mp4"), resultBytes);
  });
  afterAll(async () => {
    await server?.[Symbol.asyncDispose]();
    await work?.[Symbol.asyncDispose]();
  });

  test("B05-02, B05-05: 201 and the descriptor of an H.264/AAC MP4 result", async () => {
    expect(descriptor.type).toBe("video/mp4");
    expect(descriptor.url).toBe(`${server.url}/${descriptor.sha256}.mp4`);
    expect(sha256Of(resultBytes)).toBe(descriptor.sha256);
    expect(resultBytes.byteLength).toBe(descriptor.size);
    const probe = ffprobe(join(work.path, "result.mp4"));
    expect(probe.format.format_name).toContain("mp4");
    expect(probe.streams.map((stream) => [stream.codec_type, stream.codec_name])).toEqual([
      ["video", "h264"],
      ["audio", "aac"],
    ]);
    expect(probe.streams[0]).toMatchObject({ width: 320, height: 180 }); // bounded to 320
    // +faststart: the index comes before the media data, so playback starts at once.
    const text = Buffer.from(resultBytes);
    expect(text.indexOf("moov")).toBeLessThan(text.indexOf("mdat"));
  });

  test("S11, A8: the input carries location tags; the result has none, nor any other metadata", () => {
    const input = ffprobe(join(work.path, "phone.mov")).format.tags ?? {};
    expect(input).toMatchObject({
      location: expect.stringContaining("+48.8584"),
      "com.apple.quicktime.location.ISO6709": expect.stringContaining("+48.8584"),
      title: "HanamiSecretTitle",
    });
    const probe = ffprobe(join(work.path, "result.mp4"));
    // What the MP4 muxer itself writes: brands, and per stream a language and a handler name.
    expect(Object.keys(probe.format.tags ?? {}).sort()).toEqual([
      "compatible_brands",
      "major_brand",
      "minor_version",
    ]);
    for (const stream of probe.streams) {
      for (const key of Object.keys(stream.tags ?? {})) {
        expect(["language", "handler_name", "vendor_id", "encoder"]).toContain(key);
      }
    }
    const bytes = Buffer.from(resultBytes);
    for (const needle of ["48.8584", "ISO6709", "HanamiSecretTitle", "\u00a9xyz", "Lavf"]) {
      expect(bytes.includes(needle)).toBe(false);
    }
  });

  test("B08-02, P-18, P-24: nip94 carries url, x, m, size, dim, blurhash, thumb and ox", () => {
    expect(tag(descriptor, "url")?.[1]).toBe(descriptor.url);
    expect(tag(descriptor, "x")?.[1]).toBe(descriptor.sha256);
    expect(tag(descriptor, "m")?.[1]).toBe("video/mp4");
    expect(tag(descriptor, "size")?.[1]).toBe(String(descriptor.size));
    expect(tag(descriptor, "dim")?.[1]).toBe("320x180");
    expect(tag(descriptor, "blurhash")?.[1]).toMatch(/^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{28}$/);
    expect(tag(descriptor, "ox")?.[1]).toBe(sha256Of(original));
  });

  test("BUD-08: the thumbnail is a frame of the video, stored as an ordinary image blob", async () => {
    const thumb = tag(descriptor, "thumb");
    const thumbHash = thumb?.[2] ?? "";
    expect(thumb?.[1]).toBe(`${server.url}/${thumbHash}.webp`);
    const response = await fetch(thumb?.[1] ?? "");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/webp");
    const path = join(work.path, "thumb.webp");
    await Bun.write(path, await response.arrayBuffer());
    expect(ffprobe(path).streams[0]).toMatchObject({ width: 320, height: 180 });
  });

  test("P-18: the same original again → 200 from the derivative cache, the same descriptor", async () => {
    const again = await putMedia(server, original, "video/quicktime");
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(descriptor);
  });

  test("P-18: another user's identical original gets the same result, owned by them too", async () => {
    const response = await putMedia(server, original, null, { key: bob });
    expect(response.status).toBe(200);
    expect(((await response.json()) as MediaDescriptor).sha256).toBe(descriptor.sha256);
    const listed = (await (await server.fetch(`/list/${bob.pubkey}`)).json()) as MediaDescriptor[];
    expect(listed.map((entry) => entry.sha256)).toContain(descriptor.sha256);
  });

  test("WebM (VP9, sniffed, declared as octet-stream) → MP4", async () => {
    const webm = await makeVideo(work.path, "clip.webm", [
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=200x200:rate=10:duration=1",
      "-c:v",
      "libvpx-vp9",
      "-b:v",
      "100k",
    ]);
    const response = await putMedia(server, webm, "application/octet-stream");
    expect(response.status).toBe(201);
    const result = (await response.json()) as MediaDescriptor;
    expect(result.type).toBe("video/mp4");
    expect(tag(result, "dim")?.[1]).toBe("200x200");
  });

  test("P-18: the token's x must name the original (401); X-SHA-256 ≠ body is 409", async () => {
    const clip = await makeVideo(work.path, "auth.mp4", [
      ...testPattern(64, 64, 1),
      "-c:v",
      "libx264",
    ]);
    const wrongX = await putMedia(server, clip, "video/mp4", { x: "ab".repeat(32) });
    expect(wrongX.status).toBe(401);
    const claimed = "cd".repeat(32);
    const mismatch = await putMedia(server, clip, "video/mp4", {
      x: claimed,
      sha256Header: claimed,
    });
    expect(mismatch.status).toBe(409);
  });

  test("videoMaxBytes: a video-looking body past the limit is cut off with 413 while streaming", async () => {
    const body = new Uint8Array(VIDEO_MAX_BYTES + 1024);
    body.set(behindFtyp(""));
    const response = await putMedia(server, body, "video/mp4");
    expect(response.status).toBe(413);
    expect(response.headers.get("x-reason")).toMatch(/larger than/);
  });

  test("B05-12, B05-14: HEAD /media says 200 for a video, 413 over the video limit", async () => {
    const preflight = (length: number) =>
      server.fetch("/media", {
        method: "HEAD",
        headers: {
          authorization: signToken(alice, { verb: "media", x: ["ef".repeat(32)] }),
          "x-sha-256": "ef".repeat(32),
          "x-content-type": "video/mp4",
          "x-content-length": String(length),
        },
      });
    expect((await preflight(1_000_000)).status).toBe(200);
    expect((await preflight(VIDEO_MAX_BYTES + 1)).status).toBe(413);
  });

  describe("S10: hostile input never reads other files, and giants are refused before decoding", () => {
    let canary: string;
    let canaryPath: string;
    let trace: SyscallTrace | null = null;

    beforeAll(async () => {
      canary = `HANAMI-CANARY-${crypto.randomUUID()}`;
      canaryPath = join(work.path, "canary.ts");
      await Bun.write(canaryPath, canary.repeat(2000));
      if (straceMissing !== null) console.warn(`bud05-video: ${straceMissing}`);
      else trace = await traceSyscalls(server.proc.pid, join(work.path, "strace.log"));
    });

    const playlist = () =>
      `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nfile://${canaryPath}\n#EXT-X-ENDLIST\n`;
    const concatList = () => `ffconcat version 1.0\nfile '${canaryPath}'\n`;
    const text = (value: string) => new TextEncoder().encode(value);

    const cases: Array<[string, () => Uint8Array, string | null, number[]]> = [
      ["an .m3u8 playlist declared as video/mp4", () => text(playlist()), "video/mp4", [415]],
      [
        "an .m3u8 playlist declared as HLS",
        () => text(playlist()),
        "application/vnd.apple.mpegurl",
        [415],
      ],
      ["an .m3u8 playlist without a type", () => text(playlist()), null, [415]],
      ["an ffconcat list declared as video/mp4", () => text(concatList()), "video/mp4", [415]],
      // Sniffed as video: the forced demuxer and the whitelists are what stop these.
      ["a playlist behind an MP4 ftyp box", () => behindFtyp(playlist()), "video/mp4", [422]],
      [
        "a playlist behind a Matroska header",
        () => behindEbml(playlist()),
        "video/x-matroska",
        [422],
      ],
      [
        "an ffconcat list behind an MP4 ftyp box",
        () => behindFtyp(concatList()),
        "video/mp4",
        [422],
      ],
    ];

    for (const [name, body, type, statuses] of cases) {
      test(`S10: ${name} → ${statuses.join("/")}`, async () => {
        const response = await putMedia(server, body(), type);
        expect(statuses).toContain(response.status);
        expect(response.headers.get("x-reason")).toBeTruthy();
        expect(await response.text()).not.toContain(canary);
      });
    }

    test("S10: an MP4 whose track is an external data reference to a local file → 422", async () => {
      const plain = await makeVideo(work.path, "plain.mp4", [
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=10:duration=1",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
      ]);
      const crafted = withExternalDref(plain, canaryPath);
      const craftedPath = join(work.path, "dref.mp4");
      await Bun.write(craftedPath, crafted);
      // The fixture is what it claims: ffmpeg itself reads it as a reference to the canary.
      expect(ffprobeWarnings(craftedPath)).toContain(`Skipped opening external track`);
      expect(ffprobeWarnings(craftedPath)).toContain(canaryPath);
      const response = await putMedia(server, crafted, "video/mp4");
      expect(response.status).toBe(422);
      expect(await response.text()).not.toContain(canary);
    });

    test("S10, A7: an 8K frame is refused with 413 from the probe", async () => {
      const giant = await makeVideo(work.path, "8k.mp4", [
        "-f",
        "lavfi",
        "-i",
        "color=c=black:s=7680x4320:r=1:d=1",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
      ]);
      const response = await putMedia(server, giant, "video/mp4");
      expect(response.status).toBe(413);
      expect(response.headers.get("x-reason")).toBe(
        "video frame 7680x4320 is larger than 2073600 pixels",
      );
    });

    test("S10, A7: a tiny file declaring ten hours is refused with 413", async () => {
      const long = await makeVideo(work.path, "10h.mp4", [
        "-f",
        "lavfi",
        "-i",
        "color=c=blue:s=64x64:r=1/3600:d=36000",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
      ]);
      expect(long.byteLength).toBeLessThan(10_000);
      const response = await putMedia(server, long, "video/mp4");
      expect(response.status).toBe(413);
      expect(response.headers.get("x-reason")).toBe("video is longer than 300 seconds");
    });

    test("S10, A7: a Matroska file with 12 streams is refused with 413", async () => {
      const many = await makeVideo(work.path, "many.mkv", [
        "-f",
        "lavfi",
        "-i",
        "anullsrc=r=8000:cl=mono",
        "-t",
        "1",
        ...Array.from({ length: 12 }, () => ["-map", "0:a"]).flat(),
        "-c:a",
        "flac",
      ]);
      const response = await putMedia(server, many, "video/x-matroska");
      expect(response.status).toBe(413);
      expect(response.headers.get("x-reason")).toBe("video has more than 8 streams");
    });

    test("S10: no stored blob contains the canary; no temp files or ffmpeg left; still healthy", async () => {
      for (const path of await filesUnder(join(server.dataDir, "blobs"))) {
        expect(Buffer.from(await Bun.file(path).arrayBuffer()).includes(canary)).toBe(false);
      }
      expect(await readdir(join(server.dataDir, "tmp"))).toEqual([]);
      expect(await childrenOf(server.proc.pid)).toEqual([]);
      expect((await server.fetch("/")).status).toBe(200);
    });

    test.skipIf(straceMissing !== null)(
      "S10: under strace, no process of the server opened the canary or connected anywhere",
      async () => {
        const calls = (await trace?.stop()) ?? [];
        const ffmpegRuns = calls.filter(
          (line) => line.includes("/original") && line.includes("O_RDONLY"),
        );
        expect(ffmpegRuns.length).toBeGreaterThan(0); // the trace saw ffprobe/ffmpeg read inputs
        expect(calls.filter((line) => line.includes(canaryPath))).toEqual([]);
        expect(calls.filter((line) => line.includes("connect("))).toEqual([]);
      },
    );
  });
});

describe.skipIf(videoToolsMissing !== null)("S10, A7: the wall-clock timeout and the queue", () => {
  test("S10: ffmpeg past its timeout is killed (422), with no process left; the server stays healthy", async () => {
    await using dir = await tempDir("hanami-video-timeout-");
    await using slow = await startBinary({ args: ["--set", "media.videoTimeoutMs=500"] });
    const heavy = await heavyClip(dir.path);
    const startedMs = performance.now();
    const response = await putMedia(slow, heavy, "video/mp4");
    const elapsedMs = performance.now() - startedMs;
    expect(response.status).toBe(422);
    expect(response.headers.get("x-reason")).toBe("video took too long to process");
    expect(elapsedMs).toBeLessThan(10_000); // the clip needs seconds; generous for CI
    expect(await childrenOf(slow.proc.pid)).toEqual([]); // killed and reaped: no zombie either
    expect(await processesMentioning(join(slow.dataDir, "tmp"))).toEqual([]);
    expect(await readdir(join(slow.dataDir, "tmp"))).toEqual([]);
    const small = await makeVideo(dir.path, "small.mp4", [
      ...testPattern(64, 64, 1),
      "-c:v",
      "libx264",
    ]);
    expect((await putMedia(slow, small, "video/mp4")).status).toBe(201); // the permit came back
    console.log(
      `S10: ffmpeg killed at the 500 ms timeout; answered in ${Math.round(elapsedMs)} ms`,
    );
  }, 60_000);

  test.skipIf(Bun.which("prlimit") === null)(
    "A7: ffprobe and ffmpeg run under the configured address-space limit (prlimit)",
    async () => {
      await using dir = await tempDir("hanami-video-memory-");
      // 64 MiB of address space is too little for ffprobe even to load its libraries.
      await using tight = await startBinary({
        args: ["--set", `media.videoMaxMemoryBytes=${64 * 1024 * 1024}`],
      });
      const clip = await makeVideo(dir.path, "clip.mp4", [
        ...testPattern(64, 64, 1),
        "-c:v",
        "libx264",
      ]);
      const response = await putMedia(tight, clip, "video/mp4");
      expect(response.status).toBe(422);
      expect(response.headers.get("x-reason")).toBe("video could not be read");
      expect(await readdir(join(tight.dataDir, "tmp"))).toEqual([]);
    },
    30_000,
  );

  test("a full ffmpeg queue answers 503 with Retry-After before reading the body", async () => {
    await using dir = await tempDir("hanami-video-busy-");
    await using busy = await startBinary({
      args: ["--set", "media.videoConcurrency=1", "--set", "media.videoQueueLimit=0"],
    });
    const heavy = await heavyClip(dir.path);
    const first = putMedia(busy, heavy, "video/mp4");
    const running = await waitFor(() => encodersOf(busy.proc.pid), 20_000);
    expect(running).toHaveLength(1);
    const small = await makeVideo(dir.path, "queued.mp4", [
      ...testPattern(64, 64, 1),
      "-c:v",
      "libx264",
    ]);
    const refused = await putMedia(busy, small, "video/mp4");
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("10");
    expect(refused.headers.get("x-reason")).toBe("video processing is busy, retry later");
    expect((await first).status).toBe(201);
    expect((await putMedia(busy, small, "video/mp4")).status).toBe(201);
  }, 60_000);
});
