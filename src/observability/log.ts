// Structured logs: one JSON object per line, on stdout by default (STYLE rule 8). The only file
// that prints. A log call never throws: a field that cannot be serialised is replaced, not lost.

export type LogLevel = "debug" | "info" | "warn" | "error";
type Fields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(event: string, fields?: Fields): void;
  info(event: string, fields?: Fields): void;
  warn(event: string, fields?: Fields): void;
  error(event: string, fields?: Fields): void;
  /** A logger that adds `fields` to every line, e.g. `{ requestId }`. */
  child(fields: Fields): Logger;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly write?: (line: string) => void;
  readonly nowMs?: () => number;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

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

function build(options: LoggerOptions, base: Fields): Logger {
  const write = options.write ?? ((line: string) => console.log(line));
  const nowMs = options.nowMs ?? Date.now;
  const threshold = RANK[options.level];
  const emit =
    (level: LogLevel) =>
    (event: string, fields: Fields = {}): void => {
      if (RANK[level] < threshold) return;
      const time = new Date(nowMs()).toISOString();
      // time, level and event come first and cannot be overwritten by a field of the same name.
      const core = { time, level, event };
      write(toLine(Object.assign({ ...core }, base, fields, core)));
    };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    child: (fields) => build(options, { ...base, ...fields }),
  };
}

export function createLogger(options: LoggerOptions): Logger {
  return build(options, {});
}
