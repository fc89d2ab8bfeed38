// Video for BUD-05 /media (reliability A7, A8): the original is streamed into a fresh scratch
// directory, probed with limits, and transcoded by ffmpeg to H.264/AAC MP4 with every metadata
// block dropped, behind a semaphore. ffmpeg is an external process started from the main
// thread; the CPU pool only turns its extracted frame into a thumbnail.
//
// Failures are values (`VideoOutcome`), not exceptions: the service maps them to its own errors.
import {
  type FileHandle,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rm,
  stat,
} from "node:fs/promises";
import { join, resolve } from "node:path";
import { createSemaphore } from "../util/semaphore.ts";
import {
  type Container,
  probeArgs,
  type TranscodeSettings,
  transcodeArgs,
  withMemoryLimit,
  type X264Preset,
} from "./ffmpeg-args.ts";
import type { MediaErrorCode } from "./media-error.ts";
import { checkProbe, exceededStreamLimit, parseProbe, type VideoLimits } from "./probe.ts";
import { type RunResult, runBounded } from "./subprocess.ts";

export interface VideoOptions {
  readonly enabled: boolean;
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  /** Jobs make their directories here; everything in it is disposable (see reapVideoJobs). */
  readonly scratchDir: string;
  readonly concurrency: number;
  readonly queueLimit: number;
  /** Wall-clock limit of each ffprobe and ffmpeg run. */
  readonly timeoutMs: number;
  readonly limits: VideoLimits;
  readonly maxDimension: number;
  readonly maxOutputBytes: number;
  readonly crf: number;
  readonly preset: X264Preset;
  /** Address-space limit of each run, through prlimit when it is installed; 0: none. */
  readonly maxMemoryBytes: number;
}

type VideoFailure = {
  readonly ok: false;
  readonly code: MediaErrorCode;
  readonly reason: string;
  /** ffmpeg's last words, for the log only. */
  readonly detail?: string;
};

export type VideoOutcome =
  | {
      readonly ok: true;
      /** The transcoded MP4, inside the job directory (gone when the job is disposed). */
      readonly videoPath: string;
      readonly videoBytes: number;
      /** The first frame as PNG, at the video's size. */
      readonly frame: Uint8Array;
    }
  | VideoFailure;

export interface VideoJob extends AsyncDisposable {
  /** Appends bytes of the original. */
  write(chunk: Uint8Array): Promise<void>;
  /** Waits for a permit, probes, checks the limits and transcodes. */
  run(container: Container): Promise<VideoOutcome>;
}

export interface VideoProcessor {
  /** Why video cannot be processed here (a public reason), or null when it can. */
  unavailable(): string | null;
  /** True when a job would be refused with busy right now. */
  isSaturated(): boolean;
  /** A fresh scratch directory for one upload; disposing it removes everything. */
  open(): Promise<VideoJob>;
  /** Kills every running ffmpeg/ffprobe (shutdown). */
  close(): void;
  /** Jobs holding a permit, and jobs waiting for one. */
  stats(): { running: number; waiting: number };
}

const JOB_PREFIX = "video-";
const CAPTURE_BYTES = 64 * 1024;

function fail(code: MediaErrorCode, reason: string, detail?: string): VideoFailure {
  return detail === undefined ? { ok: false, code, reason } : { ok: false, code, reason, detail };
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}

/** ffmpeg and ffprobe must both be found; a bad configured path is reported, never thrown. */
function missingTools(options: VideoOptions): string | null {
  if (!options.enabled) return "video is not accepted here";
  for (const tool of [options.ffmpegPath, options.ffprobePath]) {
    if (Bun.which(tool) === null) return "video processing is unavailable here (ffmpeg not found)";
  }
  return null;
}

export function createVideoProcessor(options: VideoOptions): VideoProcessor {
  const scratchDir = resolve(options.scratchDir);
  const semaphore = createSemaphore(options.concurrency, options.queueLimit);
  const running = new Set<() => void>();
  const track = (kill: () => void) => {
    running.add(kill);
    return () => running.delete(kill);
  };
  const settings: TranscodeSettings = {
    maxDimension: options.maxDimension,
    maxDurationSec: options.limits.maxDurationSec,
    maxOutputBytes: options.maxOutputBytes,
    maxStreams: options.limits.maxStreams,
    crf: options.crf,
    preset: options.preset,
    // A backstop for an ffmpeg that outlives us: CPU seconds of every core for the whole timeout.
    cpuLimitSec: Math.ceil(options.timeoutMs / 1000) * navigator.hardwareConcurrency + 1,
  };

  const prlimit = options.maxMemoryBytes > 0 ? Bun.which("prlimit") : null;
  const run = (tool: string, argv: string[], captureStdout: boolean): Promise<RunResult> =>
    runBounded(withMemoryLimit([tool, ...argv], prlimit, options.maxMemoryBytes), {
      timeoutMs: options.timeoutMs,
      captureStdout,
      maxCaptureBytes: CAPTURE_BYTES,
      onStart: track,
    });

  async function probe(input: string, container: Container): Promise<VideoFailure | null> {
    const argv = probeArgs(input, container, options.limits.maxStreams);
    const result = await run(options.ffprobePath, argv, true);
    if (result.timedOut) return fail("unprocessable_media", "video probe took too long");
    if (exceededStreamLimit(result.stderr)) {
      return fail("too_large", `video has more than ${options.limits.maxStreams} streams`);
    }
    const parsed = result.exitCode === 0 ? parseProbe(result.stdout) : null;
    if (parsed === null) {
      return fail("unprocessable_media", "video could not be read", result.stderr.trim());
    }
    const decision = checkProbe(parsed, options.limits);
    return decision.ok ? null : fail(decision.code, decision.reason);
  }

  async function transcode(dir: string, input: string, container: Container) {
    const paths = { input, video: join(dir, "result.mp4"), frame: join(dir, "frame.png") };
    const result = await run(options.ffmpegPath, transcodeArgs(paths, container, settings), false);
    if (result.timedOut) return fail("unprocessable_media", "video took too long to process");
    if (result.exitCode !== 0) {
      return fail("unprocessable_media", "video could not be processed", result.stderr.trim());
    }
    const videoBytes = await stat(paths.video).then(
      (info) => info.size,
      () => 0,
    );
    if (videoBytes >= options.maxOutputBytes) {
      return fail("too_large", `processed video is larger than ${options.maxOutputBytes} bytes`);
    }
    const frame = await readFile(paths.frame).catch(() => null);
    if (videoBytes === 0 || frame === null) {
      return fail("unprocessable_media", "video has no decodable frames");
    }
    return { ok: true as const, videoPath: paths.video, videoBytes, frame: new Uint8Array(frame) };
  }

  return {
    unavailable: () => missingTools(options),
    isSaturated: () => semaphore.isSaturated(),
    stats: () => semaphore.stats(),
    close: () => {
      for (const kill of running) kill();
    },

    async open() {
      await mkdir(scratchDir, { recursive: true });
      const dir = await mkdtemp(join(scratchDir, JOB_PREFIX));
      const input = join(dir, "original");
      const handle = await open(input, "wx");
      let closed = false;
      const closeInput = async () => {
        if (closed) return;
        closed = true;
        await handle.close();
      };
      return {
        write: (chunk) => writeAll(handle, chunk),
        async run(container) {
          await closeInput();
          const permit = semaphore.tryAcquire();
          if (permit === null) return fail("busy", "video processing is busy, retry later");
          const release = await permit;
          try {
            const refused = await probe(input, container); // A7: limits before any decoding
            return refused ?? (await transcode(dir, input, container));
          } finally {
            release();
          }
        },
        async [Symbol.asyncDispose]() {
          await closeInput().catch(() => undefined);
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

/** Processes whose command line names a path under `marker`, this one excepted. */
async function processesUsing(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir("/proc").catch(() => [])) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(marker)) found.push(Number(name));
  }
  return found;
}

/**
 * Start-up clean-up after a crash: kills every process still working inside a job directory of
 * `scratchDir` (an ffmpeg whose server died with kill -9), waits until they are gone, then
 * removes the directories. Linux /proc only; elsewhere only the directories go. Returns how
 * many processes were killed.
 */
export async function reapVideoJobs(scratchDir: string): Promise<number> {
  const marker = join(resolve(scratchDir), JOB_PREFIX);
  const pids = await processesUsing(marker);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // exited meanwhile, or not ours to kill
    }
  }
  // SIGKILL lands asynchronously; a dying ffmpeg must not write into a directory we remove.
  for (let wait = 0; wait < 100 && (await processesUsing(marker)).length > 0; wait++) {
    await Bun.sleep(10);
  }
  for (const name of await readdir(scratchDir).catch(() => [])) {
    if (name.startsWith(JOB_PREFIX)) {
      await rm(join(scratchDir, name), { recursive: true, force: true });
    }
  }
  return pids.length;
}
