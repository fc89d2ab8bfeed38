// R2 (power-loss proxy): under strace, an upload's bytes, its name, its directory and its index
// row all reach the disk before the 201 is written to the socket. The index row is committed by
// the group commit, whose WAL fsync runs off the main thread: this is what shows it still
// precedes the answer.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startBinary } from "../support/binary.ts";
import { uploadBlob } from "../support/blossom.ts";
import { randomBlob, testKeys } from "../support/nostr.ts";
import { straceMissing, traceSyscalls } from "../support/strace.ts";
import { tempDir } from "../support/temp-dir.ts";

interface Call {
  /** The whole call, re-joined when strace split it into "unfinished" and "resumed". */
  readonly text: string;
  readonly startedAt: number;
  readonly finishedAt: number;
}

/** strace -f lines in time order → calls with the line index of their start and of their end. */
function parseCalls(lines: readonly string[]): Call[] {
  const pending = new Map<string, { text: string; startedAt: number }>();
  const calls: Call[] = [];
  lines.forEach((line, at) => {
    const match = /^(\d+)\s+(.*)$/.exec(line);
    if (match === null) return;
    const [, pid = "", body = ""] = match;
    if (body.endsWith("<unfinished ...>")) {
      pending.set(pid, { text: body.replace("<unfinished ...>", ""), startedAt: at });
      return;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(body);
    const start = pending.get(pid);
    if (resumed !== null && start !== undefined) {
      pending.delete(pid);
      calls.push({ text: start.text + resumed[1], startedAt: start.startedAt, finishedAt: at });
      return;
    }
    calls.push({ text: body, startedAt: at, finishedAt: at });
  });
  return calls;
}

describe.skipIf(straceMissing !== null)("R2: durable before answered", () => {
  test("R2: fdatasync of the file, rename, directory fsync and WAL fsync all finish before the 201 is sent", async () => {
    await using server = await startBinary();
    await using work = await tempDir("hanami-r2-");
    const blob = randomBlob(64 * 1024);
    const trace = await traceSyscalls(server.proc.pid, join(work.path, "strace.log"), [
      "rename",
      "renameat",
      "renameat2",
      "fsync",
      "fdatasync",
      "write",
      "writev",
      "sendto",
      "sendmsg",
    ]);
    const response = await uploadBlob(server, testKeys.alice, blob.bytes);
    expect(response.status).toBe(201);
    const calls = parseCalls(await trace.stop());

    const target = `/blobs/${blob.sha256.slice(0, 2)}/${blob.sha256.slice(2, 4)}`;
    const finished = (what: string, matches: (text: string) => boolean) => {
      const call = calls.find((candidate) => matches(candidate.text));
      if (call === undefined) throw new Error(`no ${what} in the trace`);
      return call.finishedAt;
    };
    const steps = {
      fileSynced: finished("fdatasync of the temp file", (t) =>
        /^fdatasync\(\d+<[^>]*\/tmp\//.test(t),
      ),
      renamed: finished("rename into place", (t) => /^rename/.test(t) && t.includes(blob.sha256)),
      directorySynced: finished(
        "fsync of the directory",
        (t) => t.startsWith("fsync(") && t.includes(`${target}>`),
      ),
      walSynced: finished(
        "fsync of the WAL",
        (t) => t.startsWith("fsync(") && t.includes("index.sqlite-wal>"),
      ),
    };
    const answer = calls.find((call) => /HTTP\/1\.1 201/.test(call.text));
    if (answer === undefined) throw new Error("the 201 was not seen on the socket");
    expect(steps.fileSynced).toBeLessThan(steps.renamed);
    expect(steps.renamed).toBeLessThan(steps.directorySynced);
    for (const [step, at] of Object.entries(steps)) {
      expect({ step, before: at < answer.startedAt }).toEqual({ step, before: true });
    }
  });
});
