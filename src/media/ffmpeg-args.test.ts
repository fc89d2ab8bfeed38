import { describe, expect, test } from "bun:test";
import {
  FORMAT_WHITELIST,
  inputArgs,
  probeArgs,
  scaleFilter,
  type TranscodeSettings,
  transcodeArgs,
  withMemoryLimit,
} from "./ffmpeg-args.ts";

const settings: TranscodeSettings = {
  maxDimension: 1280,
  maxDurationSec: 600,
  maxOutputBytes: 1_000_000,
  maxStreams: 8,
  crf: 26,
  preset: "veryfast",
  cpuLimitSec: 121,
};
const paths = {
  input: "/d/video-x/original",
  video: "/d/video-x/result.mp4",
  frame: "/d/video-x/frame.png",
};

/** The value that follows `flag` in argv, at each of its places. */
function valuesOf(argv: readonly string[], flag: string): string[] {
  return argv.flatMap((arg, i) => (arg === flag ? [argv[i + 1] ?? ""] : []));
}

const beforeInput = (argv: readonly string[]) => argv.slice(0, argv.indexOf("-i"));

describe("A7: input hardening", () => {
  test("A7: only the file protocol and our demuxers; never a playlist demuxer", () => {
    expect(FORMAT_WHITELIST.split(",")).toEqual(["mov", "mp4", "m4a", "matroska", "webm"]);
    for (const banned of ["hls", "concat", "image2", "applehttp", "m3u8", "playlist", "lavfi"]) {
      expect(FORMAT_WHITELIST.split(",")).not.toContain(banned);
    }
    const args = inputArgs("mov", 8);
    expect(valuesOf(args, "-protocol_whitelist")).toEqual(["file"]);
    expect(valuesOf(args, "-format_whitelist")).toEqual([FORMAT_WHITELIST]);
  });

  test("A7: the demuxer is forced from our sniffing; drefs off for mov only (the option exists nowhere else)", () => {
    expect(valuesOf(inputArgs("mov", 8), "-f")).toEqual(["mov"]);
    expect(valuesOf(inputArgs("mov", 8), "-enable_drefs")).toEqual(["0"]);
    expect(valuesOf(inputArgs("matroska", 8), "-f")).toEqual(["matroska"]);
    expect(inputArgs("matroska", 8)).not.toContain("-enable_drefs");
  });

  test("A7: max_streams is one over the limit, so the probe can say the file has too many", () => {
    expect(valuesOf(inputArgs("matroska", 8), "-max_streams")).toEqual(["9"]);
  });

  test("A7: ffprobe and ffmpeg both put every hardening option before -i, and name files by file:", () => {
    for (const argv of [probeArgs(paths.input, "mov", 8), transcodeArgs(paths, "mov", settings)]) {
      const head = beforeInput(argv);
      for (const flag of [
        "-protocol_whitelist",
        "-format_whitelist",
        "-f",
        "-enable_drefs",
        "-max_streams",
      ]) {
        expect(head).toContain(flag);
      }
      expect(valuesOf(argv, "-i")).toEqual([`file:${paths.input}`]);
    }
  });
});

describe("A7, A8: transcode arguments", () => {
  const argv = transcodeArgs(paths, "matroska", settings);

  test("A7: no stdin, a CPU-time backstop, no overwrite of existing files", () => {
    expect(argv[0]).toBe("-nostdin");
    expect(valuesOf(argv, "-timelimit")).toEqual(["121"]);
    expect(argv.filter((arg) => arg === "-n")).toHaveLength(2);
    expect(argv).not.toContain("-y");
  });

  test("A8: every output drops global, stream and chapter metadata", () => {
    expect(valuesOf(argv, "-map_metadata")).toEqual(["-1", "-1"]);
    expect(valuesOf(argv, "-map_metadata:s")).toEqual(["-1", "-1"]);
    expect(valuesOf(argv, "-map_chapters")).toEqual(["-1", "-1"]);
  });

  test("H.264/AAC MP4 with faststart, cut at the duration and size limits", () => {
    expect(valuesOf(argv, "-c:v")).toEqual(["libx264", "png"]);
    expect(valuesOf(argv, "-c:a")).toEqual(["aac"]);
    expect(valuesOf(argv, "-movflags")).toEqual(["+faststart"]);
    expect(valuesOf(argv, "-t")).toEqual(["600"]);
    expect(valuesOf(argv, "-fs")).toEqual(["1000000"]);
    expect(valuesOf(argv, "-f")).toEqual(["matroska", "mp4", "image2"]);
    expect(argv.slice(-1)).toEqual([`file:${paths.frame}`]);
    expect(argv).toContain(`file:${paths.video}`);
  });

  test("one scale for both outputs: the frame has the video's size; subtitles and data dropped", () => {
    const graph = valuesOf(argv, "-filter_complex")[0] ?? "";
    expect(graph).toBe(`[0:V:0]${scaleFilter(1280)},format=yuv420p,split=2[video][frame]`);
    expect(valuesOf(argv, "-map")).toEqual(["[video]", "0:a:0?", "[frame]"]);
    expect(argv).toContain("-sn");
    expect(argv).toContain("-dn");
  });

  test("the scale never enlarges and keeps even sides", () => {
    expect(scaleFilter(640)).toBe(
      "scale=w='min(iw,640)':h='min(ih,640)':force_original_aspect_ratio=decrease:force_divisible_by=2",
    );
  });
});

test("A7: an address-space limit through prlimit when one is known and set", () => {
  const argv = ["/usr/bin/ffmpeg", "-nostdin"];
  expect(withMemoryLimit(argv, "/usr/bin/prlimit", 4096)).toEqual([
    "/usr/bin/prlimit",
    "--as=4096",
    "--",
    "/usr/bin/ffmpeg",
    "-nostdin",
  ]);
  expect(withMemoryLimit(argv, null, 4096)).toEqual(argv);
  expect(withMemoryLimit(argv, "/usr/bin/prlimit", 0)).toEqual(argv);
});
