// What ffprobe says about an upload, and whether we transcode it (reliability A7: probe limits
// first, before any decoding). Pure: JSON text and limits in, a decision out.
import type { MediaErrorCode } from "./media-error.ts";

export interface VideoLimits {
  /** Width × height of the largest video stream. */
  readonly maxPixels: number;
  readonly maxDurationSec: number;
  readonly maxStreams: number;
}

export interface VideoProbe {
  readonly streams: number;
  readonly videoStreams: number;
  /** The largest video frame, as declared. */
  readonly width: number;
  readonly height: number;
  /** null when neither the container nor any stream states one (live WebM, for example). */
  readonly durationSec: number | null;
}

export type ProbeDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: MediaErrorCode; readonly reason: string };

interface ProbeJson {
  streams?: Array<{ codec_type?: string; width?: number; height?: number; duration?: string }>;
  format?: { duration?: string; nb_streams?: number };
}

function seconds(value: string | undefined): number | null {
  if (value === undefined) return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : null;
}

/** ffprobe's `-of json` output → the facts we check; null when it is not that shape. */
export function parseProbe(text: string): VideoProbe | null {
  let json: ProbeJson;
  try {
    json = JSON.parse(text) as ProbeJson;
  } catch {
    return null;
  }
  if (typeof json !== "object" || json === null || !Array.isArray(json.streams)) return null;
  const video = json.streams.filter((stream) => stream.codec_type === "video");
  const largest = video.reduce<{ width: number; height: number }>(
    (best, stream) => {
      const width = stream.width ?? 0;
      const height = stream.height ?? 0;
      return width * height > best.width * best.height ? { width, height } : best;
    },
    { width: 0, height: 0 },
  );
  const durations = [
    seconds(json.format?.duration),
    ...json.streams.map((stream) => seconds(stream.duration)),
  ].filter((value) => value !== null);
  return {
    streams: Math.max(json.format?.nb_streams ?? 0, json.streams.length),
    videoStreams: video.length,
    width: largest.width,
    height: largest.height,
    durationSec: durations.length === 0 ? null : Math.max(...durations),
  };
}

/** The checks of A7 in order: stream count, then frame size, then duration; 413 or 422. */
export function checkProbe(probe: VideoProbe, limits: VideoLimits): ProbeDecision {
  if (probe.streams > limits.maxStreams) {
    return refuse("too_large", `video has more than ${limits.maxStreams} streams`);
  }
  if (probe.videoStreams === 0) return refuse("unprocessable_media", "no video stream found");
  if (probe.width <= 0 || probe.height <= 0) {
    return refuse("unprocessable_media", "video dimensions unknown");
  }
  if (probe.width * probe.height > limits.maxPixels) {
    return refuse(
      "too_large",
      `video frame ${probe.width}x${probe.height} is larger than ${limits.maxPixels} pixels`,
    );
  }
  if (probe.durationSec !== null && probe.durationSec > limits.maxDurationSec) {
    return refuse("too_large", `video is longer than ${limits.maxDurationSec} seconds`);
  }
  return { ok: true };
}

/** ffprobe's own refusal of a file with too many streams (we pass `-max_streams`). */
export function exceededStreamLimit(stderr: string): boolean {
  return stderr.includes("exceeds max_streams");
}

function refuse(code: MediaErrorCode, reason: string): ProbeDecision {
  return { ok: false, code, reason };
}
