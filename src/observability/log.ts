// Structured logs: one JSON object per line, on stdout by default (STYLE rule 8). The only file
// that prints. A log call never throws: a field that cannot be serialised is replaced, not lost.
// Lines are built by hand when every field is a plain value (the per-request line is on the hot
// path of every GET) and written in batches (docs/PERFORMANCE.md).
import { writeSync } from "node:fs";

export type LogLevel = "debug" | "info" | "warn" | "error";
type Fields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(event: string, fields?: Fields): void;
  info(event: string, fields?: Fields): void;
  warn(event: string, fields?: Fields): void;
  error(event: string, fields?: Fields): void;
  /**
   * An info line whose fields come as JSON members (`,"key":value…`, none named time, level or
   * event), for the one line of every request (request-line.ts).
   */
  infoMembers(event: string, members: string): void;
  /** Whether a line at `level` would be written: skip building fields that nobody reads. */
  enabled(level: LogLevel): boolean;
  /** A logger that adds `fields` to every line, e.g. `{ requestId }`. */
  child(fields: Fields): Logger;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Where each line goes; the default is the process's batched stdout. */
  readonly write?: (line: string) => void;
  readonly nowMs?: () => number;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const CORE_KEYS = new Set(["time", "level", "event"]);

/** Errors keep their own fields (a BlossomError's code, a system error's errno and path). */
function serialise(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const { name, message, stack, cause } = value;
    return { ...value, name, message, stack, cause };
  }
  return typeof value === "bigint" ? value.toString() : value;
}

function toLine(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record, serialise);
  } catch (error) {
    // Circular fields, or a toJSON that throws: keep the line, say why the fields are missing.
    const { time, level, event } = record;
    return JSON.stringify({ time, level, event, logError: String(error) });
  }
}

/** Fields whose every value is a string, number, boolean or null, and no name is a core key. */
function isPlain(fields: Fields): boolean {
  for (const key in fields) {
    const value = fields[key];
    const kind = typeof value;
    if (value !== null && kind !== "string" && kind !== "number" && kind !== "boolean")
      return false;
    if (CORE_KEYS.has(key)) return false;
  }
  return true;
}

/** `,"key":value,…` from one native stringify (no replacer: a replacer costs a call per key). */
function innerJson(fields: Fields): string {
  const json = JSON.stringify(fields);
  return json === "{}" ? "" : `,${json.slice(1, -1)}`;
}

/** The line's fields after the core ones, or null when they need the general path. */
function fieldsJson(base: Fields, baseJson: string | null, fields: Fields): string | null {
  if (baseJson === null || !isPlain(fields)) return null;
  if (baseJson !== "") {
    for (const key in fields) if (Object.hasOwn(base, key)) return null;
  }
  return baseJson + innerJson(fields);
}

/** Printable ASCII but `"` and `\`: quoted as it is, the same as JSON.stringify gives. */
const PLAIN_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * A string as JSON. Request ids, routes, methods and addresses need no escapes, and for them
 * this is cheaper than `JSON.stringify`, which cost 1 % of a cached HEAD per call.
 */
export function jsonString(text: string): string {
  return PLAIN_TEXT.test(text) ? `"${text}"` : JSON.stringify(text);
}

/** toISOString once per millisecond: under load many lines share one. */
function createIsoClock(nowMs: () => number) {
  let lastMs = Number.NaN;
  let lastIso = "";
  return (): string => {
    const ms = nowMs();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = new Date(ms).toISOString();
    }
    return lastIso;
  };
}

interface LineSink {
  write(line: string): void;
  /** Writes what is pending now; warn and error lines do not wait. */
  flush(): void;
}

interface StdoutSink extends LineSink {
  /** Lines dropped since start: stdout had not taken the MAX_HELD_CHARS held before them. */
  readonly droppedTotal: number;
}

const STDOUT_FD = 1;
const FLUSH_AT_CHARS = 64 * 1024;
/** While lines keep coming, they are written at most this often (one write per burst). */
const BUSY_FLUSH_EVERY_MS = 10;
/** Lines held while stdout takes none; past this they are dropped and counted. */
const MAX_HELD_CHARS = 4 * 1024 * 1024;
/** How often a stdout that took nothing is tried again. */
const RETRY_EVERY_MS = 10;
/** At exit, how long to wait for a reader that takes nothing more before giving up. */
const EXIT_WAIT_MS = 5_000;
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

function droppedLine(count: number): string {
  const time = new Date().toISOString();
  return `{"time":"${time}","level":"warn","event":"log lines dropped","count":${count},"reason":"stdout was not being read"}\n`;
}

/** Text for a descriptor that may take only part of it, or none (O_NONBLOCK). */
class HeldOutput {
  #pending = ""; // not handed to the descriptor yet
  #unsent: Buffer | null = null; // the part of a batch the descriptor has not taken yet
  constructor(private readonly fd: number) {}

  get pendingChars(): number {
    return this.#pending.length;
  }

  get heldChars(): number {
    return this.#pending.length + (this.#unsent?.length ?? 0);
  }

  append(text: string): void {
    this.#pending += text;
  }

  /** Writes what the descriptor takes without blocking; true when nothing is left. */
  writeOut(): boolean {
    while (this.#unsent !== null || this.#pending !== "") {
      if (!this.#writeSome()) return false;
    }
    return true;
  }

  /** At exit, when the event loop is over: waits for the reader while it keeps reading. */
  drain(maxStallMs: number): void {
    let held = this.heldChars;
    let progressMs = performance.now();
    while (!this.writeOut()) {
      if (this.heldChars < held) {
        held = this.heldChars;
        progressMs = performance.now();
      } else if (performance.now() - progressMs > maxStallMs) {
        return; // nobody reads: exiting matters more than these lines
      }
      Atomics.wait(SLEEPER, 0, 0, 1);
    }
  }

  /** False when the descriptor took nothing (EAGAIN). */
  #writeSome(): boolean {
    try {
      if (this.#unsent !== null) {
        const written = writeSync(this.fd, this.#unsent);
        this.#unsent = written >= this.#unsent.length ? null : this.#unsent.subarray(written);
        return true;
      }
      // A batch goes as a string (encoded once, natively); only the rest of a batch the
      // descriptor took in part is kept as bytes.
      const text = this.#pending;
      const written = writeSync(this.fd, text); // throws before anything is taken from pending
      this.#pending = "";
      if (written < Buffer.byteLength(text)) this.#unsent = Buffer.from(text).subarray(written);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "EAGAIN") return false;
      this.#unsent = null; // a closed stdout must not take the server down; the lines are lost
      this.#pending = "";
      return true;
    }
  }
}

/**
 * stdout in batches that never block the server. A line into an idle sink leaves at the end of
 * the current event-loop turn, so an idle server's line (start-up, "listening") is out at once;
 * while lines keep coming, they leave every BUSY_FLUSH_EVERY_MS in one write (a write per turn
 * took 5.1 % of a loaded GET's samples, this 3.7 %).
 *
 * Once `process.stdout` exists, Bun gives a pipe or socket stdout O_NONBLOCK: a reader that stops
 * reading makes the write say EAGAIN instead of freezing every request (with a blocking write a
 * full pipe did). What stdout does not take is held and tried again, up to MAX_HELD_CHARS; past
 * that lines are dropped, and a warn line where they were says how many. Lines stay whole and in
 * order. At exit (process.exit after SIGTERM too) the rest is written, waiting for the reader as
 * long as it keeps reading. One per process, because stdout is one per process.
 */
function createStdoutSink(): StdoutSink {
  process.stdout.fd; // creates Bun's stdout stream, which makes a pipe or socket non-blocking
  const output = new HeldOutput(STDOUT_FD);
  let dropped = 0; // since the last line that made it
  let droppedTotal = 0;
  let isScheduled = false;
  let isBlocked = false; // stdout took less than it was given: the retry timer writes
  let lastWriteMs = Number.NEGATIVE_INFINITY;
  const takeDropped = () => {
    if (dropped === 0) return;
    output.append(droppedLine(dropped)); // where the missing lines were
    dropped = 0;
  };
  const flush = () => {
    isScheduled = false;
    lastWriteMs = performance.now();
    isBlocked = !output.writeOut();
    if (!isBlocked && dropped > 0) {
      takeDropped(); // stdout reads again: say so now, not with the next line
      isBlocked = !output.writeOut();
    }
    if (isBlocked) {
      isScheduled = true;
      setTimeout(flush, RETRY_EVERY_MS).unref();
    }
  };
  const schedule = () => {
    isScheduled = true;
    if (performance.now() - lastWriteMs >= BUSY_FLUSH_EVERY_MS) return void setImmediate(flush);
    setTimeout(flush, BUSY_FLUSH_EVERY_MS).unref();
  };
  process.on("exit", () => {
    takeDropped();
    output.drain(EXIT_WAIT_MS);
  });
  return {
    write(line) {
      if (output.heldChars >= MAX_HELD_CHARS) {
        dropped++;
        droppedTotal++;
        return;
      }
      takeDropped();
      output.append(`${line}\n`);
      if (isBlocked) return;
      if (output.pendingChars >= FLUSH_AT_CHARS) flush();
      else if (!isScheduled) schedule();
    },
    flush: () => {
      if (!isBlocked) flush();
    },
    get droppedTotal() {
      return droppedTotal;
    },
  };
}

let stdoutSink: StdoutSink | null = null;

/** Log lines this process dropped because stdout was not being read (a metric). */
export function droppedLogLines(): number {
  return stdoutSink?.droppedTotal ?? 0;
}

function sinkOf(options: LoggerOptions): LineSink {
  if (options.write !== undefined) return { write: options.write, flush: () => {} };
  stdoutSink ??= createStdoutSink();
  return stdoutSink;
}

interface Shared {
  readonly sink: LineSink;
  readonly isoNow: () => string;
  readonly threshold: number;
}

function build(shared: Shared, base: Fields): Logger {
  const { sink, isoNow, threshold } = shared;
  const baseJson = isPlain(base) ? innerJson(base) : null;
  const emit =
    (level: LogLevel) =>
    (event: string, fields: Fields = {}): void => {
      if (RANK[level] < threshold) return;
      const time = isoNow();
      const plain = fieldsJson(base, baseJson, fields);
      // time, level and event come first and cannot be overwritten by a field of the same name.
      const line =
        plain === null
          ? toLine(Object.assign({ time, level, event }, base, fields, { time, level, event }))
          : `{"time":"${time}","level":"${level}","event":${JSON.stringify(event)}${plain}}`;
      sink.write(line);
      if (RANK[level] >= RANK.warn) sink.flush();
    };
  const info = emit("info");
  return {
    debug: emit("debug"),
    info,
    infoMembers(event, members) {
      if (RANK.info < threshold) return;
      // A child's own fields merge as they do for any line; members of the root go as they are.
      if (baseJson !== "") return info(event, JSON.parse(`{${members.slice(1)}}`));
      sink.write(`{"time":"${isoNow()}","level":"info","event":${jsonString(event)}${members}}`);
    },
    warn: emit("warn"),
    error: emit("error"),
    enabled: (level) => RANK[level] >= threshold,
    child: (fields) => build(shared, { ...base, ...fields }),
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const shared = {
    sink: sinkOf(options),
    isoNow: createIsoClock(options.nowMs ?? Date.now),
    threshold: RANK[options.level],
  };
  return build(shared, {});
}
