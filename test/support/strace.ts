// strace attached to a running server and every thread and child it starts: the syscall-level
// assertions of S10 (what ffmpeg opens, that nothing connects) and R2 (durable before answered).

export interface SyscallTrace {
  /** Detaches and returns every traced call line of the process tree, in time order. */
  stop(): Promise<string[]>;
}

/** Why syscall tracing cannot run here, or null. */
export const straceMissing =
  Bun.which("strace") === null ? "strace not on PATH: syscall assertions skipped" : null;

/** Resolves once strace has attached. `-y` prints each descriptor's path beside its number. */
export async function traceSyscalls(
  pid: number,
  logPath: string,
  syscalls: readonly string[] = ["open", "openat", "connect"],
): Promise<SyscallTrace> {
  const proc = Bun.spawn(
    [
      "strace",
      "-f",
      "-y",
      "-s",
      "64",
      "-e",
      `trace=${syscalls.join(",")}`,
      "-o",
      logPath,
      "-p",
      String(pid),
    ],
    { stdin: "ignore", stdout: "ignore", stderr: "pipe" },
  );
  // stderr is read to the end (strace reports every process it attaches to there).
  const { promise: attached, resolve } = Promise.withResolvers<boolean>();
  let printed = "";
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr) {
      printed += decoder.decode(chunk, { stream: true });
      if (printed.includes("attached")) resolve(true);
    }
    resolve(false);
  })();
  if (!(await attached)) throw new Error(`strace did not attach: ${printed}`);
  return {
    async stop() {
      proc.kill("SIGINT");
      await proc.exited;
      return (await Bun.file(logPath).text()).split("\n").filter((line) => line !== "");
    },
  };
}
