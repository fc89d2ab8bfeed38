// Command lines for ffprobe and ffmpeg on untrusted video (reliability A7, A8). Pure: the same
// input always gives the same argv, so the hardening is tested without running anything.
//
// Every input is opened with the demuxer chosen from our own sniffing (`-f`), behind a protocol
// whitelist of `file` and a format whitelist of the demuxers we accept: never hls, concat,
// image2 or any other playlist demuxer, which could read other local files into the output.

/** The two demuxers behind the four containers /media accepts. */
export type Container = "mov" | "matroska";

/** Demuxer names ffmpeg may open (av_match_list against "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"). */
export const FORMAT_WHITELIST = "mov,mp4,m4a,matroska,webm";

export type X264Preset =
  | "ultrafast"
  | "superfast"
  | "veryfast"
  | "faster"
  | "fast"
  | "medium"
  | "slow";

export interface TranscodeSettings {
  /** Longest side of the result, in pixels. */
  readonly maxDimension: number;
  /** The result is cut here even when the input lied about its duration. */
  readonly maxDurationSec: number;
  /** ffmpeg stops writing past this size (`-fs`); a result that reaches it is refused. */
  readonly maxOutputBytes: number;
  readonly maxStreams: number;
  readonly crf: number;
  readonly preset: X264Preset;
  /** CPU seconds before the kernel stops ffmpeg (`-timelimit`): a backstop if we are gone. */
  readonly cpuLimitSec: number;
}

/** Paths go through the file protocol explicitly, so a name can never select another one. */
const fileUrl = (path: string) => `file:${path}`;

/** Options in front of `-i`: the input's demuxer, whitelists and limits. */
export function inputArgs(container: Container, maxStreams: number): string[] {
  return [
    "-protocol_whitelist",
    "file",
    "-format_whitelist",
    FORMAT_WHITELIST,
    "-f",
    container,
    // External data references would open other files (A7); off is the default, kept explicit.
    ...(container === "mov" ? ["-enable_drefs", "0"] : []),
    // One more than the limit, so a file over it is reported by the probe instead of parsed on.
    "-max_streams",
    String(maxStreams + 1),
  ];
}

export function probeArgs(input: string, container: Container, maxStreams: number): string[] {
  return [
    "-hide_banner",
    "-v",
    "error",
    ...inputArgs(container, maxStreams),
    "-show_entries",
    "stream=index,codec_type,width,height,duration:format=duration,nb_streams",
    "-of",
    "json",
    "-i",
    fileUrl(input),
  ];
}

/** Scale down (never up) to fit a square of `max`; even sides, as yuv420p needs. */
export function scaleFilter(max: number): string {
  return `scale=w='min(iw,${max})':h='min(ih,${max})':force_original_aspect_ratio=decrease:force_divisible_by=2`;
}

/** Drop every metadata block, chapter and encoder tag, globally and per stream (A8). */
const NO_METADATA = [
  "-map_metadata",
  "-1",
  "-map_metadata:s",
  "-1",
  "-map_chapters",
  "-1",
  "-fflags",
  "+bitexact",
];

/**
 * One decode, one scale, two outputs: the H.264/AAC MP4 and its first frame as a PNG for the
 * thumbnail, so the frame has exactly the video's dimensions.
 */
export function transcodeArgs(
  paths: { input: string; video: string; frame: string },
  container: Container,
  settings: TranscodeSettings,
): string[] {
  return [
    "-nostdin",
    "-hide_banner",
    "-nostats",
    "-loglevel",
    "error",
    "-timelimit",
    String(settings.cpuLimitSec),
    ...inputArgs(container, settings.maxStreams),
    "-i",
    fileUrl(paths.input),
    "-filter_complex",
    `[0:V:0]${scaleFilter(settings.maxDimension)},format=yuv420p,split=2[video][frame]`,
    "-map",
    "[video]",
    "-map",
    "0:a:0?",
    "-sn",
    "-dn",
    ...NO_METADATA,
    "-t",
    String(settings.maxDurationSec),
    "-c:v",
    "libx264",
    "-preset",
    settings.preset,
    "-crf",
    String(settings.crf),
    "-flags:v",
    "+bitexact",
    "-c:a",
    "aac",
    "-b:a",
    "128k",
    "-ac",
    "2",
    "-flags:a",
    "+bitexact",
    "-movflags",
    "+faststart",
    "-fs",
    String(settings.maxOutputBytes),
    "-f",
    "mp4",
    "-n",
    fileUrl(paths.video),
    "-map",
    "[frame]",
    "-frames:v",
    "1",
    ...NO_METADATA,
    "-c:v",
    "png",
    "-f",
    "image2",
    "-update",
    "1",
    "-n",
    fileUrl(paths.frame),
  ];
}

/**
 * Runs `argv` under an address-space limit (A7: prlimit), when a prlimit executable is known and
 * a limit is set; otherwise unchanged. prlimit execs the command, so the pid stays the same.
 */
export function withMemoryLimit(
  argv: readonly string[],
  prlimitPath: string | null,
  maxBytes: number,
): string[] {
  if (prlimitPath === null || maxBytes <= 0) return [...argv];
  return [prlimitPath, `--as=${maxBytes}`, "--", ...argv];
}
