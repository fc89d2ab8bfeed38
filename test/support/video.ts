// Real videos for the /media tests, made by ffmpeg itself at test time, and the probes the
// video suites share: ffprobe of results, processes under /proc, hostile inputs (S10).
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** The reason printed when the video suites cannot run here. */
export const videoToolsMissing =
  Bun.which("ffmpeg") === null || Bun.which("ffprobe") === null
    ? "ffmpeg/ffprobe not on PATH (install the ffmpeg package): video tests skipped"
    : null;

export const sha256Of = (bytes: Uint8Array) =>
  new Bun.CryptoHasher("sha256").update(bytes).digest("hex");

/** Runs ffmpeg with `args` writing `<dir>/<name>`; returns the file's bytes. */
export async function makeVideo(
  dir: string,
  name: string,
  args: readonly string[],
): Promise<Uint8Array<ArrayBuffer>> {
  const path = join(dir, name);
  const run = Bun.spawnSync(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", ...args, path], {
    stdout: "ignore",
    stderr: "pipe",
  });
  if (run.exitCode !== 0) throw new Error(`ffmpeg failed for ${name}: ${run.stderr.toString()}`);
  return new Uint8Array(await Bun.file(path).arrayBuffer());
}

/** lavfi test pattern plus a tone: `seconds` long, `width`×`height`. */
export function testPattern(width: number, height: number, seconds: number, rate = 25): string[] {
  return [
    "-f",
    "lavfi",
    "-i",
    `testsrc=size=${width}x${height}:rate=${rate}:duration=${seconds}`,
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=440:duration=${seconds}`,
  ];
}

export interface ProbeJson {
  streams: Array<{
    codec_name?: string;
    codec_type?: string;
    width?: number;
    height?: number;
    tags?: Record<string, string>;
  }>;
  format: { format_name?: string; duration?: string; tags?: Record<string, string> };
}

export function ffprobe(path: string): ProbeJson {
  const run = Bun.spawnSync(
    ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", path],
    { stdout: "pipe", stderr: "pipe" },
  );
  if (run.exitCode !== 0) throw new Error(`ffprobe failed: ${run.stderr.toString()}`);
  return JSON.parse(run.stdout.toString()) as ProbeJson;
}

/** ffprobe's warnings about a file (what it would do with it). */
export function ffprobeWarnings(path: string, extra: readonly string[] = []): string {
  const run = Bun.spawnSync(
    ["ffprobe", "-v", "warning", ...extra, "-show_format", "-of", "json", path],
    { stdout: "ignore", stderr: "pipe" },
  );
  return run.stderr.toString();
}

interface ProcEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly state: string;
  readonly cmdline: string;
}

async function processes(): Promise<ProcEntry[]> {
  const entries: ProcEntry[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => null);
    if (stat === null) continue;
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ")".
    const [state = "", ppid = "0"] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cmdline = await readFile(`/proc/${name}/cmdline`, "utf8").catch(() => "");
    entries.push({
      pid: Number(name),
      ppid: Number(ppid),
      state,
      cmdline: cmdline.replaceAll("\0", " "),
    });
  }
  return entries;
}

/** Live children of `pid` (zombies included: their state is Z). */
export async function childrenOf(pid: number): Promise<ProcEntry[]> {
  return (await processes()).filter((entry) => entry.ppid === pid);
}

/** Every process whose command line mentions `text` (e.g. a test's data dir). */
export async function processesMentioning(text: string): Promise<ProcEntry[]> {
  return (await processes()).filter(
    (entry) => entry.cmdline.includes(text) && entry.pid !== process.pid,
  );
}

/** Polls `find` until it returns something, or `timeoutMs` passes: a wait for a condition. */
export async function waitFor<T>(find: () => Promise<T[]>, timeoutMs: number): Promise<T[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found.length > 0 || performance.now() > deadline) return found;
    await Bun.sleep(20);
  }
}

/** The running ffmpeg encoders among `pid`'s children. */
export async function encodersOf(pid: number): Promise<ProcEntry[]> {
  return (await childrenOf(pid)).filter((child) => child.cmdline.includes("libx264"));
}

/** Every file under `dir`, recursively. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

const ascii = (text: string) => new TextEncoder().encode(text);

function box(type: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.byteLength);
  new DataView(out.buffer).setUint32(0, out.byteLength);
  out.set(ascii(type), 4);
  out.set(payload, 8);
  return out;
}

/**
 * A Macintosh alias data reference ('alis') naming an absolute path: the shape ffmpeg's mov
 * demuxer reads as an external file reference (mov_read_dref), opened only with enable_drefs.
 */
function aliasDref(path: string): Uint8Array {
  const pathBytes = ascii(path);
  const padded = pathBytes.byteLength + (pathBytes.byteLength % 2);
  const body = new Uint8Array(4 + 150 + 4 + padded + 4);
  const view = new DataView(body.buffer);
  // version/flags 0; then 10 + 1 + 27 + 12 + 1 + 63 + 16 + 2 + 2 + 16 = 150 bytes of alias header
  let at = 4 + 150;
  view.setUint16(at, 2); // absolute path record
  view.setUint16(at + 2, pathBytes.byteLength);
  body.set(pathBytes, at + 4);
  at += 4 + padded;
  view.setInt16(at, -1); // end of records
  return box("alis", body);
}

const CONTAINER_BOXES = new Set(["moov", "trak", "mdia", "minf", "dinf"]);

/** Rewrites every 'dref' box inside `bytes` (a box list) to hold `entry` only. */
function rewriteDrefs(bytes: Uint8Array, entry: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 8 <= bytes.byteLength; ) {
    const size = view.getUint32(at);
    const type = new TextDecoder().decode(bytes.subarray(at + 4, at + 8));
    const payload = bytes.subarray(at + 8, at + size);
    if (type === "dref") {
      const header = new Uint8Array(8);
      new DataView(header.buffer).setUint32(4, 1); // version/flags 0, one entry
      parts.push(box("dref", new Uint8Array([...header, ...entry])));
    } else if (CONTAINER_BOXES.has(type)) {
      parts.push(box(type, rewriteDrefs(payload, entry)));
    } else {
      parts.push(bytes.subarray(at, at + size));
    }
    at += size;
  }
  return new Uint8Array(Buffer.concat(parts));
}

/**
 * An MP4 whose tracks take their samples from `path` (an external data reference, S10). The
 * input must have its moov after mdat (ffmpeg's default), so no chunk offset moves.
 */
export function withExternalDref(mp4: Uint8Array, path: string): Uint8Array {
  return rewriteDrefs(mp4, aliasDref(path));
}

/** A box header that makes the body sniff as MP4, in front of any text. */
export function behindFtyp(text: string): Uint8Array {
  const ftyp = box(
    "ftyp",
    new Uint8Array([...ascii("isom"), 0, 0, 2, 0, ...ascii("isomiso2mp41")]),
  );
  return new Uint8Array([...ftyp, ...ascii(text)]);
}

/** An EBML header that makes the body sniff as Matroska, in front of any text. */
export function behindEbml(text: string): Uint8Array {
  const docType = [0x42, 0x82, 0x88, ...ascii("matroska")];
  const header = [0x1a, 0x45, 0xdf, 0xa3, 0x80 | docType.length, ...docType];
  return new Uint8Array([...header, ...ascii(text)]);
}

/** A 10 s 720p clip that takes ffmpeg seconds to transcode: for timeouts, the queue and crashes. */
export const heavyClip = (dir: string) =>
  makeVideo(dir, "heavy.mp4", [
    "-f",
    "lavfi",
    "-i",
    "testsrc2=s=1280x720:r=30:d=10",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-crf",
    "40",
    "-pix_fmt",
    "yuv420p",
  ]);
