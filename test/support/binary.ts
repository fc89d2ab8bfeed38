// Starts the compiled binary on a free loopback port with a fresh data dir, and stops it by its
// own process id (STYLE §3.10). Waits for the structured "listening" line; never sleeps.
import { resolve } from "node:path";
import type { Subprocess } from "bun";
import { type TempDir, tempDir } from "./temp-dir.ts";

/** HANAMI_TEST_BINARY points the suites at another build (`bun scripts/build.ts --outfile …`). */
export const BINARY = resolve(
  process.env.HANAMI_TEST_BINARY ?? `${import.meta.dir}/../../dist/hanami`,
);
const START_TIMEOUT_MS = 20_000;

export interface RunningServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly proc: Subprocess<"ignore", "pipe", "pipe">;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Signals the process and waits for its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

export interface StartOptions {
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Reuse a data dir (restart tests); otherwise a fresh one is made and removed on dispose. */
  readonly dataDir?: string;
}

async function collect(
  stream: ReadableStream<Uint8Array>,
  sink: string[],
  onLine: (line: string) => void,
) {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    const text = decoder.decode(chunk, { stream: true });
    sink.push(text);
    pending += text;
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      onLine(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
  }
}

function listeningPort(line: string): number | null {
  if (!line.includes('"listening"')) return null;
  try {
    const parsed = JSON.parse(line) as { event?: string; port?: number };
    return parsed.event === "listening" && typeof parsed.port === "number" ? parsed.port : null;
  } catch {
    return null;
  }
}

export async function startBinary(options: StartOptions = {}): Promise<RunningServer> {
  const owned: TempDir | null = options.dataDir === undefined ? await tempDir("hanami-e2e-") : null;
  const dataDir = options.dataDir ?? (owned as TempDir).path;
  const proc = Bun.spawn(
    [
      BINARY,
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--data-dir",
      dataDir,
      ...(options.args ?? []),
    ],
    {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "", HANAMI_STORAGE_RESERVE_FREE_BYTES: "0", ...options.env },
    },
  );
  const printed: string[] = [];
  const { promise: ready, resolve: onReady, reject: onFail } = Promise.withResolvers<number>();
  const onLine = (line: string) => {
    const port = listeningPort(line);
    if (port !== null) onReady(port);
  };
  void collect(proc.stdout, printed, onLine);
  void collect(proc.stderr, printed, () => undefined);
  void proc.exited.then((code) =>
    onFail(new Error(`hanami exited with ${code}:\n${printed.join("")}`)),
  );
  const timer = setTimeout(
    () => onFail(new Error(`no listening line in ${START_TIMEOUT_MS} ms`)),
    START_TIMEOUT_MS,
  );
  let port: number;
  try {
    port = await ready;
  } catch (error) {
    proc.kill("SIGKILL");
    await owned?.[Symbol.asyncDispose]();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const url = `http://127.0.0.1:${port}`;
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    return proc.exited;
  };
  return {
    url,
    port,
    dataDir,
    proc,
    fetch: (path, init) => fetch(`${url}${path}`, init),
    output: () => printed.join(""),
    stop,
    async [Symbol.asyncDispose]() {
      await stop("SIGTERM");
      await owned?.[Symbol.asyncDispose]();
    },
  };
}
