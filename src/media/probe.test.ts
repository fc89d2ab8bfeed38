import { describe, expect, test } from "bun:test";
import { checkProbe, exceededStreamLimit, parseProbe, type VideoProbe } from "./probe.ts";

const limits = { maxPixels: 1920 * 1080, maxDurationSec: 600, maxStreams: 4 };
const ok: VideoProbe = { streams: 2, videoStreams: 1, width: 1280, height: 720, durationSec: 12 };

describe("parseProbe", () => {
  test("ffprobe JSON → stream counts, the largest frame and the longest duration", () => {
    const text = JSON.stringify({
      programs: [],
      streams: [
        { index: 0, codec_type: "video", width: 640, height: 360, duration: "10.000000" },
        { index: 1, codec_type: "audio", duration: "10.5" },
        { index: 2, codec_type: "video", width: 1920, height: 1080 },
      ],
      format: { duration: "10.200000", nb_streams: 3 },
    });
    expect(parseProbe(text)).toEqual({
      streams: 3,
      videoStreams: 2,
      width: 1920,
      height: 1080,
      durationSec: 10.5,
    });
  });

  test("no duration anywhere (live WebM) → null; N/A is not a number", () => {
    const text = JSON.stringify({
      streams: [{ codec_type: "video", width: 2, height: 2, duration: "N/A" }],
      format: {},
    });
    expect(parseProbe(text)?.durationSec).toBeNull();
  });

  test("not JSON, or JSON of another shape → null", () => {
    for (const text of ["", "{", "null", "[]", '{"format":{}}', '"x"']) {
      expect(parseProbe(text)).toBeNull();
    }
  });
});

describe("A7: checkProbe, limits before any decoding", () => {
  const cases: Array<[string, Partial<VideoProbe>, ReturnType<typeof checkProbe>]> = [
    ["within every limit", {}, { ok: true }],
    [
      "exactly at the limits",
      { streams: 4, width: 1920, height: 1080, durationSec: 600 },
      { ok: true },
    ],
    ["unknown duration is left to -t", { durationSec: null }, { ok: true }],
    [
      "too many streams",
      { streams: 5 },
      { ok: false, code: "too_large", reason: "video has more than 4 streams" },
    ],
    [
      "an 8K frame",
      { width: 7680, height: 4320 },
      {
        ok: false,
        code: "too_large",
        reason: "video frame 7680x4320 is larger than 2073600 pixels",
      },
    ],
    [
      "ten hours",
      { durationSec: 36_000 },
      { ok: false, code: "too_large", reason: "video is longer than 600 seconds" },
    ],
    [
      "audio only",
      { videoStreams: 0 },
      { ok: false, code: "unprocessable_media", reason: "no video stream found" },
    ],
    [
      "a video stream without dimensions",
      { width: 0 },
      { ok: false, code: "unprocessable_media", reason: "video dimensions unknown" },
    ],
  ];
  for (const [name, change, expected] of cases) {
    test(`A7: ${name}`, () => {
      expect(checkProbe({ ...ok, ...change }, limits)).toEqual(expected);
    });
  }

  test("A7: the stream count is checked first (a file over every limit names its streams)", () => {
    const everything = {
      streams: 99,
      videoStreams: 0,
      width: 9999,
      height: 9999,
      durationSec: 1e9,
    };
    expect(checkProbe(everything, limits)).toMatchObject({
      reason: "video has more than 4 streams",
    });
  });

  test("ffprobe's own max_streams refusal is recognised", () => {
    const stderr =
      "[matroska,webm @ 0x55] Number of streams exceeds max_streams parameter (9), see the documentation if you wish to increase it\n";
    expect(exceededStreamLimit(stderr)).toBe(true);
    expect(exceededStreamLimit("moov atom not found")).toBe(false);
  });
});
