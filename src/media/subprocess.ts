// Runs ffmpeg or ffprobe as an external process with a wall-clock limit (reliability A7). The
// child leads its own process group, so the timeout SIGKILLs the group, and the exit is always
// awaited, so no zombie is left. Output is captured up to a bound.

export interface RunResult {
  /** null when the process was killed by a signal. */
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  /** The end of stderr (the last error is what explains a failure). */
  readonly stderr: string;
}

export interface RunOptions {
  readonly timeoutMs: number;
  readonly captureStdout: boolean;
  readonly maxCaptureBytes: number;
  /** Called with a kill function while the process runs; for shutdown. */
  readonly onStart?: (kill: () => void) => () => void;
}

async function readCapped(
  stream: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  keep: "head" | "tail",
): Promise<string> {
  if (stream === null) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    if (keep === "head" && size >= maxBytes) continue; // drain, so the child never blocks
    chunks.push(chunk);
    size += chunk.byteLength;
    while (keep === "tail" && size - (chunks[0]?.byteLength ?? 0) >= maxBytes) {
      size -= chunks.shift()?.byteLength ?? 0;
    }
  }
  const text = new TextDecoder().decode(Buffer.concat(chunks));
  return keep === "head" ? text.slice(0, maxBytes) : text.slice(-maxBytes);
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Throws only when the program cannot be started at all (missing, not executable). */
export async function runBounded(argv: readonly string[], options: RunOptions): Promise<RunResult> {
  const proc = Bun.spawn([...argv], {
    stdin: "ignore",
    stdout: options.captureStdout ? "pipe" : "ignore",
    stderr: "pipe",
    detached: true, // setsid: its own process group, killed as a whole
    env: { PATH: process.env.PATH ?? "" },
  });
  let timedOut = false;
  const kill = () => killGroup(proc.pid);
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, options.timeoutMs);
  const forget = options.onStart?.(kill);
  try {
    const [stdout, stderr, exitCode] = await Promise.all([
      readCapped(
        options.captureStdout ? (proc.stdout as ReadableStream<Uint8Array>) : null,
        options.maxCaptureBytes,
        "head",
      ),
      readCapped(proc.stderr as ReadableStream<Uint8Array>, options.maxCaptureBytes, "tail"),
      proc.exited,
    ]);
    return { exitCode: proc.signalCode === null ? exitCode : null, timedOut, stdout, stderr };
  } finally {
    clearTimeout(timer);
    forget?.();
    if (proc.exitCode === null && proc.signalCode === null) {
      kill();
      await proc.exited;
    }
  }
}
