// Structured logs: one JSON object per line on stdout (STYLE rule 8). The only file that prints.

export type LogLevel = "debug" | "info" | "warn" | "error";
type Fields = Record<string, unknown>;

export interface Logger {
  debug(event: string, fields?: Fields): void;
  info(event: string, fields?: Fields): void;
  warn(event: string, fields?: Fields): void;
  error(event: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function serialise(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack, cause: value.cause };
  }
  return typeof value === "bigint" ? value.toString() : value;
}

export function createLogger(options: {
  level: LogLevel;
  write?: (line: string) => void;
  nowMs?: () => number;
  base?: Fields;
}): Logger {
  const write = options.write ?? ((line: string) => console.log(line));
  const nowMs = options.nowMs ?? Date.now;
  const threshold = RANK[options.level];
  const base = options.base ?? {};
  const emit =
    (level: LogLevel) =>
    (event: string, fields: Fields = {}) => {
      if (RANK[level] < threshold) return;
      const time = new Date(nowMs()).toISOString();
      write(JSON.stringify({ time, level, event, ...base, ...fields }, serialise));
    };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}
