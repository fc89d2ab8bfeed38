import { describe, expect, test } from "bun:test";
import dashboard from "../../docs/grafana-dashboard.json" with { type: "json" };
import { createHanamiMetrics } from "./hanami-metrics.ts";
import { createRegistry } from "./metrics.ts";
import {
  maxOpenFilesOf,
  type ProcessSample,
  readProcessSample,
  registerProcessMetrics,
} from "./process-metrics.ts";

interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Parsed {
  help: Map<string, string>;
  types: Map<string, string>;
  samples: ParsedSample[];
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL_PAIR = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"(,|$)/;

function unescapeLabel(text: string): string {
  return text.replace(/\\([\\"n])/g, (_, c: string) => (c === "n" ? "\n" : c));
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== "") {
    const match = LABEL_PAIR.exec(rest);
    if (match === null) throw new Error(`malformed labels: ${text}`);
    labels[match[1] as string] = unescapeLabel(match[2] as string);
    rest = rest.slice(match[0].length);
  }
  return labels;
}

function parseValue(text: string): number {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (text === "NaN") return Number.NaN;
  const value = Number(text);
  if (!/^-?[0-9.e+-]+$/.test(text) || Number.isNaN(value)) throw new Error(`bad value ${text}`);
  return value;
}

/** A strict reader of the text format: every line must be HELP, TYPE or a sample of a typed family. */
function parseExposition(text: string): Parsed {
  expect(text === "" || text.endsWith("\n")).toBe(true);
  const parsed: Parsed = { help: new Map(), types: new Map(), samples: [] };
  for (const line of text.split("\n").slice(0, -1)) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta !== null) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (kind === "HELP") parsed.help.set(name, rest);
      else {
        expect(["counter", "gauge", "histogram"]).toContain(rest);
        parsed.types.set(name, rest);
      }
      continue;
    }
    const sample = SAMPLE_LINE.exec(line);
    if (sample === null) throw new Error(`malformed line: ${JSON.stringify(line)}`);
    const name = sample[1] as string;
    const family = name.replace(/_(bucket|sum|count)$/, "");
    expect(parsed.types.has(name) || parsed.types.get(family) === "histogram").toBe(true);
    parsed.samples.push({
      name,
      labels: parseLabels(sample[2] ?? ""),
      value: parseValue(sample[3] as string),
    });
  }
  return parsed;
}

function sampleValue(parsed: Parsed, name: string, labels: Record<string, string> = {}): number {
  const found = parsed.samples.filter(
    (s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels),
  );
  expect(found).toHaveLength(1);
  return (found[0] as ParsedSample).value;
}

describe("registry", () => {
  test("counters render HELP, TYPE and one sample per label set", () => {
    const registry = createRegistry();
    const requests = registry.counter("t_requests_total", "Requests", ["route", "status"]);
    const plain = registry.counter("t_plain_total", "Plain");
    requests.inc({ route: "get", status: "200" });
    requests.inc({ route: "get", status: "200" }, 2);
    requests.labels("put", "201").inc();
    plain.inc();
    const text = registry.render();
    expect(text).toStartWith("# HELP t_requests_total Requests\n# TYPE t_requests_total counter\n");
    const parsed = parseExposition(text);
    expect(parsed.samples).toEqual([
      { name: "t_requests_total", labels: { route: "get", status: "200" }, value: 3 },
      { name: "t_requests_total", labels: { route: "put", status: "201" }, value: 1 },
      { name: "t_plain_total", labels: {}, value: 1 },
    ]);
  });

  test("a label set's child is created once and shared by both call styles", () => {
    const registry = createRegistry();
    const errors = registry.counter("t_errors_total", "Errors", ["code"]);
    const child = errors.labels("not_found");
    expect(errors.labels("not_found")).toBe(child);
    child.inc();
    errors.inc({ code: "not_found" });
    expect(
      sampleValue(parseExposition(registry.render()), "t_errors_total", { code: "not_found" }),
    ).toBe(2);
  });

  test("label values escape backslash, double quote and newline; HELP escapes too", () => {
    const registry = createRegistry();
    const tricky = 'a\\b"c\nd';
    registry.counter("t_escape_total", "line one\nback\\slash", ["v"]).inc({ v: tricky });
    const text = registry.render();
    expect(text).toContain('t_escape_total{v="a\\\\b\\"c\\nd"} 1\n');
    expect(text).toContain("# HELP t_escape_total line one\\nback\\\\slash\n");
    expect(parseExposition(text).samples[0]?.labels).toEqual({ v: tricky });
  });

  test("histograms render cumulative buckets, +Inf, _sum and _count; bounds are inclusive", () => {
    const registry = createRegistry();
    const latency = registry.histogram("t_seconds", "Latency", ["route"], [0.1, 1, 10]);
    for (const value of [0.05, 0.1, 0.5, 1, 20]) latency.observe({ route: "get" }, value);
    latency.labels("put").observe(2);
    const parsed = parseExposition(registry.render());
    const buckets = (route: string) =>
      parsed.samples
        .filter((s) => s.name === "t_seconds_bucket" && s.labels.route === route)
        .map((s) => [s.labels.le, s.value]);
    expect(buckets("get")).toEqual([
      ["0.1", 2],
      ["1", 4],
      ["10", 4],
      ["+Inf", 5],
    ]);
    expect(buckets("put")).toEqual([
      ["0.1", 0],
      ["1", 0],
      ["10", 1],
      ["+Inf", 1],
    ]);
    expect(sampleValue(parsed, "t_seconds_sum", { route: "get" })).toBeCloseTo(21.65);
    expect(sampleValue(parsed, "t_seconds_count", { route: "get" })).toBe(5);
  });

  test("an unlabelled histogram puts only le in braces", () => {
    const registry = createRegistry();
    registry.histogram("t_bytes", "Sizes", [], [1024]).observe({}, 10);
    expect(registry.render()).toContain(
      't_bytes_bucket{le="1024"} 1\nt_bytes_bucket{le="+Inf"} 1\n',
    );
  });

  test("gauges are set, and callback gauges are read at every scrape", () => {
    const registry = createRegistry();
    registry.gauge("t_level", "Level", ["pool"]).set({ pool: "cpu" }, 4);
    let depth = 1;
    registry.gaugeFn("t_depth", "Depth", () => depth);
    registry.gaugeFn("t_limit", "Limit", () => [
      { labels: { route: "upload" }, value: 8 },
      { labels: { route: "get" }, value: Number.POSITIVE_INFINITY },
    ]);
    registry.counterFn("t_hits_total", "Hits", () => 7);
    expect(sampleValue(parseExposition(registry.render()), "t_depth")).toBe(1);
    depth = 5;
    const parsed = parseExposition(registry.render());
    expect(parsed.types.get("t_hits_total")).toBe("counter");
    expect(parsed.samples).toEqual([
      { name: "t_level", labels: { pool: "cpu" }, value: 4 },
      { name: "t_depth", labels: {}, value: 5 },
      { name: "t_limit", labels: { route: "upload" }, value: 8 },
      { name: "t_limit", labels: { route: "get" }, value: Number.POSITIVE_INFINITY },
      { name: "t_hits_total", labels: {}, value: 7 },
    ]);
  });

  test("programming errors are refused when declared or first used", () => {
    const registry = createRegistry();
    registry.counter("t_once_total", "Once");
    expect(() => registry.counter("t_once_total", "Twice")).toThrow("already registered");
    expect(() => registry.counter("t-bad", "Bad")).toThrow("invalid metric name");
    expect(() => registry.counter("t_label_total", "Bad", ["__x"])).toThrow("invalid label name");
    expect(() => registry.histogram("t_h", "H", ["le"], [1])).toThrow("reserved");
    expect(() => registry.histogram("t_h2", "H", [], [1, 1])).toThrow("strictly increasing");
    const two = registry.counter("t_two_total", "Two", ["a", "b"]);
    expect(() => two.labels("only-a")).toThrow("expected 2 label values");
  });

  test("an empty registry renders nothing", () => {
    expect(createRegistry().render()).toBe("");
  });
});

describe("createHanamiMetrics", () => {
  const NAMES: Array<[string, string]> = [
    ["hanami_requests_total", "counter"],
    ["hanami_request_duration_seconds", "histogram"],
    ["hanami_errors_total", "counter"],
    ["hanami_received_bytes_total", "counter"],
    ["hanami_sent_bytes_total", "counter"],
    ["hanami_uploads_total", "counter"],
    ["hanami_upload_size_bytes", "histogram"],
    ["hanami_requests_shed_total", "counter"],
    ["hanami_unhandled_errors_total", "counter"],
    ["hanami_memory_collections_total", "counter"],
    ["hanami_memory_collection_seconds_total", "counter"],
    ["hanami_blobs_stored", "gauge"],
    ["hanami_bytes_stored", "gauge"],
    ["hanami_pool_queue_depth", "gauge"],
    ["hanami_pool_busy_workers", "gauge"],
    ["hanami_limiter_limit", "gauge"],
    ["hanami_upload_slots_in_use", "gauge"],
    ["hanami_video_jobs_running", "gauge"],
    ["hanami_video_jobs_waiting", "gauge"],
    ["hanami_token_cache_hits_total", "counter"],
    ["hanami_token_cache_misses_total", "counter"],
    ["hanami_log_lines_dropped_total", "counter"],
  ];

  test("declares exactly the metric set, with no samples before use or sources", () => {
    const registry = createRegistry();
    createHanamiMetrics(registry);
    const parsed = parseExposition(registry.render());
    expect([...parsed.types]).toEqual(NAMES);
    // Log lines dropped is the process's own count (its stdout), so it has a sample from the start.
    expect(parsed.samples).toEqual([
      { name: "hanami_log_lines_dropped_total", labels: {}, value: 0 },
    ]);
  });

  test("handles and sources show up in the scrape", () => {
    const registry = createRegistry();
    const metrics = createHanamiMetrics(registry);
    metrics.requests.labels("upload", "PUT", "201").inc();
    metrics.requestDuration.labels("upload").observe(0.02);
    metrics.errors.inc({ code: "too_large" });
    metrics.receivedBytes.inc({}, 1000);
    metrics.sentBytes.inc({}, 500);
    metrics.uploads.inc({ result: "created" });
    metrics.uploadSize.observe({}, 1000);
    metrics.requestsShed.inc({ reason: "limiter" });
    metrics.unhandledErrors.inc();
    metrics.memoryCollections.inc({ reason: "idle" });
    metrics.memoryCollectionSeconds.inc({ reason: "idle" }, 0.076);
    metrics.setPoolSource(() => ({ queued: 3, busy: 2 }));
    metrics.setStoreSource(() => ({ blobs: 10, bytes: 4096 }));
    metrics.setLimiterSource(() => [{ route: "upload", limit: 16 }]);
    metrics.setTokenCacheSource(() => ({ hits: 9, misses: 1 }));
    metrics.setUploadSlotsSource(() => 5);
    metrics.setVideoSource(() => ({ running: 1, waiting: 4 }));
    const parsed = parseExposition(registry.render());
    expect(
      sampleValue(parsed, "hanami_requests_total", {
        route: "upload",
        method: "PUT",
        status: "201",
      }),
    ).toBe(1);
    expect(sampleValue(parsed, "hanami_request_duration_seconds_count", { route: "upload" })).toBe(
      1,
    );
    expect(sampleValue(parsed, "hanami_errors_total", { code: "too_large" })).toBe(1);
    expect(sampleValue(parsed, "hanami_received_bytes_total")).toBe(1000);
    expect(sampleValue(parsed, "hanami_sent_bytes_total")).toBe(500);
    expect(sampleValue(parsed, "hanami_uploads_total", { result: "created" })).toBe(1);
    expect(sampleValue(parsed, "hanami_upload_size_bytes_bucket", { le: "1024" })).toBe(1);
    expect(sampleValue(parsed, "hanami_requests_shed_total", { reason: "limiter" })).toBe(1);
    expect(sampleValue(parsed, "hanami_unhandled_errors_total")).toBe(1);
    expect(sampleValue(parsed, "hanami_memory_collections_total", { reason: "idle" })).toBe(1);
    expect(sampleValue(parsed, "hanami_memory_collection_seconds_total", { reason: "idle" })).toBe(
      0.076,
    );
    expect(sampleValue(parsed, "hanami_pool_queue_depth")).toBe(3);
    expect(sampleValue(parsed, "hanami_pool_busy_workers")).toBe(2);
    expect(sampleValue(parsed, "hanami_blobs_stored")).toBe(10);
    expect(sampleValue(parsed, "hanami_bytes_stored")).toBe(4096);
    expect(sampleValue(parsed, "hanami_limiter_limit", { route: "upload" })).toBe(16);
    expect(sampleValue(parsed, "hanami_upload_slots_in_use")).toBe(5);
    expect(sampleValue(parsed, "hanami_video_jobs_running")).toBe(1);
    expect(sampleValue(parsed, "hanami_video_jobs_waiting")).toBe(4);
    expect(sampleValue(parsed, "hanami_token_cache_hits_total")).toBe(9);
    expect(sampleValue(parsed, "hanami_token_cache_misses_total")).toBe(1);
  });

  test("the Grafana dashboard charts every metric, and only metrics that exist", () => {
    const registry = createRegistry();
    createHanamiMetrics(registry);
    registerProcessMetrics(registry, () => null, { startTimeSec: 0, version: "", bunVersion: "" });
    const declared = [...parseExposition(registry.render()).types.keys()];
    const queried = new Set(
      dashboard.panels
        .flatMap((panel) => ("targets" in panel ? panel.targets : []))
        .flatMap((target) => target.expr.match(/(hanami|process)_[a-z_]+/g) ?? [])
        .map((name) => name.replace(/_(bucket|sum|count)$/, "")),
    );
    expect([...queried].sort()).toEqual(declared.sort());
  });
});

describe("process metrics", () => {
  test("the soft limit of open files is read from /proc/self/limits; unlimited is none", () => {
    const limits = [
      "Limit                     Soft Limit           Hard Limit           Units     ",
      "Max processes             127431               127431               processes ",
      "Max open files            1024                 524288               files     ",
    ].join("\n");
    expect(maxOpenFilesOf(limits)).toBe(1024);
    expect(maxOpenFilesOf(limits.replace("1024  ", "unlimited"))).toBeNull();
    expect(maxOpenFilesOf("")).toBeNull();
  });

  test("this process's sample: CPU, resident memory, heap, descriptors", async () => {
    const sample = await readProcessSample();
    expect(sample.cpuSeconds).toBeGreaterThan(0);
    expect(sample.residentBytes).toBeGreaterThan(sample.heapUsedBytes);
    expect(sample.heapUsedBytes).toBeGreaterThan(0);
    if (process.platform === "linux") {
      expect(sample.openFds).toBeGreaterThanOrEqual(3); // stdin, stdout, stderr at least
      expect(sample.maxFds).toBeGreaterThanOrEqual(sample.openFds ?? 0);
    }
  });

  test("render the last sample under client_golang's names; before one, the build and start", () => {
    const registry = createRegistry();
    let sample: ProcessSample | null = null;
    const build = { startTimeSec: 1_700_000_000.5, version: "1.2.3", bunVersion: "1.4.5" };
    registerProcessMetrics(registry, () => sample, build);
    expect(parseExposition(registry.render()).samples).toEqual([
      { name: "hanami_build_info", labels: { version: "1.2.3", bun: "1.4.5" }, value: 1 },
      { name: "process_start_time_seconds", labels: {}, value: 1_700_000_000.5 },
    ]);
    sample = { cpuSeconds: 1.5, residentBytes: 2e8, heapUsedBytes: 3e7, openFds: 12, maxFds: 1024 };
    const parsed = parseExposition(registry.render());
    expect(parsed.types.get("process_cpu_seconds_total")).toBe("counter");
    expect(sampleValue(parsed, "process_cpu_seconds_total")).toBe(1.5);
    expect(sampleValue(parsed, "process_resident_memory_bytes")).toBe(2e8);
    expect(sampleValue(parsed, "process_open_fds")).toBe(12);
    expect(sampleValue(parsed, "process_max_fds")).toBe(1024);
    expect(sampleValue(parsed, "hanami_heap_used_bytes")).toBe(3e7);
  });
});
