import { expect, test } from "bun:test";
import fc from "fast-check";
import { BlossomError } from "../protocol/errors.ts";
import { createLogger, jsonString, type LogLevel } from "./log.ts";

const NOW_MS = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

function capture(level: LogLevel = "debug") {
  const lines: string[] = [];
  const log = createLogger({ level, write: (line) => lines.push(line), nowMs: () => NOW_MS });
  return { log, lines, records: () => lines.map((line) => JSON.parse(line)) };
}

test("one JSON line per call: time, level and event first, then the fields", () => {
  const { log, lines } = capture();
  log.info("listening", { host: "127.0.0.1", port: 3000, url: "http://127.0.0.1:3000" });
  expect(lines).toEqual([
    '{"time":"2025-01-02T03:04:05.678Z","level":"info","event":"listening","host":"127.0.0.1","port":3000,"url":"http://127.0.0.1:3000"}',
  ]);
});

test("lines below the level are dropped", () => {
  const { log, records } = capture("warn");
  log.debug("a");
  log.info("b");
  log.warn("c");
  log.error("d");
  expect(records().map((r) => [r.level, r.event])).toEqual([
    ["warn", "c"],
    ["error", "d"],
  ]);
});

test("child loggers add their fields to every line; call fields win over them", () => {
  const { log, records } = capture();
  const child = log.child({ requestId: "abc-1", route: "upload" }).child({ route: "get" });
  child.info("request", { status: 200 });
  child.info("request", { requestId: "other" });
  expect(records()).toEqual([
    {
      time: "2025-01-02T03:04:05.678Z",
      level: "info",
      event: "request",
      requestId: "abc-1",
      route: "get",
      status: 200,
    },
    {
      time: "2025-01-02T03:04:05.678Z",
      level: "info",
      event: "request",
      requestId: "other",
      route: "get",
    },
  ]);
});

test("fields cannot overwrite time, level or event", () => {
  const { log, records } = capture();
  log.warn("real", { time: "x", level: "debug", event: "fake", extra: 1 });
  expect(records()).toEqual([
    { time: "2025-01-02T03:04:05.678Z", level: "warn", event: "real", extra: 1 },
  ]);
});

test("errors are serialised with name, message, stack, their own fields and their cause", () => {
  const { log, records } = capture();
  const cause = new Error("disk full");
  log.error("request", { error: new BlossomError("internal", "internal error", {}, { cause }) });
  const error = records()[0].error;
  expect(error).toMatchObject({
    name: "BlossomError",
    message: "internal error",
    code: "internal",
    reason: "internal error",
    cause: { name: "Error", message: "disk full" },
  });
  expect(error.stack).toContain("internal error");
});

test("a newline in a field stays inside its one line; bigints become strings", () => {
  const { log, lines, records } = capture();
  log.info("odd", { text: "a\nb", big: 12n });
  expect(lines).toHaveLength(1);
  expect(lines[0]).not.toContain("\n");
  expect(records()[0]).toMatchObject({ text: "a\nb", big: "12" });
});

test("a field that cannot be serialised does not throw or lose the line", () => {
  const { log, records } = capture();
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  expect(() => log.error("cyclic", { loop })).not.toThrow();
  expect(records()[0]).toMatchObject({ level: "error", event: "cyclic" });
  expect(records()[0].logError).toContain("JSON");
});

test("lines built field by field equal the general JSON path, for any plain fields", () => {
  const plain = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null));
  // Object.assign in the general path would drop a "__proto__" field; field names are ours.
  const name = fc.string().filter((key) => key !== "__proto__");
  fc.assert(
    fc.property(fc.dictionary(name, plain), fc.dictionary(name, plain), (base, fields) => {
      const { log, lines } = capture();
      log.child(base).info('e"v', fields);
      const expected = { ...base, ...fields, time: "2025-01-02T03:04:05.678Z" };
      Object.assign(expected, { level: "info", event: 'e"v' });
      expect(lines).toHaveLength(1);
      expect(lines[0]).not.toContain("\n");
      expect(JSON.parse(lines[0] as string)).toEqual(JSON.parse(JSON.stringify(expected)));
    }),
  );
});

test("enabled says whether a level would be written", () => {
  const { log } = capture("warn");
  expect((["debug", "info", "warn", "error"] as const).map((level) => log.enabled(level))).toEqual([
    false,
    false,
    true,
    true,
  ]);
});

test("infoMembers writes the members after time, level and event; a child merges its fields", () => {
  const { log, lines, records } = capture();
  log.infoMembers("request", ',"status":200,"clientIp":null');
  log.child({ route: "blob", status: 0 }).infoMembers("request", ',"status":404');
  expect(lines[0]).toBe(
    '{"time":"2025-01-02T03:04:05.678Z","level":"info","event":"request","status":200,"clientIp":null}',
  );
  expect(records()[1]).toEqual({
    time: "2025-01-02T03:04:05.678Z",
    level: "info",
    event: "request",
    route: "blob",
    status: 404,
  });
});

test("infoMembers below the level writes nothing", () => {
  const { log, lines } = capture("warn");
  log.infoMembers("request", ',"status":200');
  expect(lines).toEqual([]);
});

test("jsonString gives what JSON.stringify gives, for any text", () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" })), (text) => {
      expect(jsonString(text)).toBe(JSON.stringify(text));
    }),
  );
  expect(jsonString('a"b\\c\u0000\u007f')).toBe(JSON.stringify('a"b\\c\u0000\u007f'));
});
