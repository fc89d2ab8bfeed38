// A small Prometheus registry (text format 0.0.4): no dependency, no allocation per `inc` after
// a label set's first use, gauges that read live values at scrape time.

type Labels = Readonly<Record<string, string>>;

interface Series {
  render(lines: string[]): void;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function labelText(names: readonly string[], values: readonly string[], extra = ""): string {
  const parts = names.map((name, i) => `${name}="${escapeLabel(values[i] ?? "")}"`);
  if (extra !== "") parts.push(extra);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

function keyOf(names: readonly string[], labels: Labels): string[] {
  return names.map((name) => labels[name] ?? "");
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
}
export interface Histogram {
  observe(labels: Labels, value: number): void;
}

export interface Registry {
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  histogram(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ): Histogram;
  /** A gauge read at scrape time, e.g. queue depth or blobs stored. */
  gauge(name: string, help: string, read: () => number): void;
  render(): string;
}

export function createRegistry(): Registry {
  const series: Series[] = [];

  function counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const values = new Map<string, { labels: string[]; value: number }>();
    series.push({
      render(lines) {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
        for (const entry of values.values()) {
          lines.push(`${name}${labelText(labelNames, entry.labels)} ${entry.value}`);
        }
      },
    });
    return {
      inc(labels = {}, by = 1) {
        const key = keyOf(labelNames, labels);
        const id = key.join("\u0000");
        const entry = values.get(id);
        if (entry === undefined) values.set(id, { labels: key, value: by });
        else entry.value += by;
      },
    };
  }

  function histogram(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ): Histogram {
    const values = new Map<
      string,
      { labels: string[]; counts: number[]; sum: number; count: number }
    >();
    series.push({
      render(lines) {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
        for (const entry of values.values()) {
          let cumulative = 0;
          buckets.forEach((bound, i) => {
            cumulative += entry.counts[i] ?? 0;
            lines.push(
              `${name}_bucket${labelText(labelNames, entry.labels, `le="${bound}"`)} ${cumulative}`,
            );
          });
          lines.push(
            `${name}_bucket${labelText(labelNames, entry.labels, 'le="+Inf"')} ${entry.count}`,
          );
          lines.push(`${name}_sum${labelText(labelNames, entry.labels)} ${entry.sum}`);
          lines.push(`${name}_count${labelText(labelNames, entry.labels)} ${entry.count}`);
        }
      },
    });
    return {
      observe(labels, value) {
        const key = keyOf(labelNames, labels);
        const id = key.join("\u0000");
        let entry = values.get(id);
        if (entry === undefined) {
          entry = { labels: key, counts: buckets.map(() => 0), sum: 0, count: 0 };
          values.set(id, entry);
        }
        const bucket = buckets.findIndex((bound) => value <= bound);
        if (bucket !== -1) entry.counts[bucket] = (entry.counts[bucket] ?? 0) + 1;
        entry.sum += value;
        entry.count += 1;
      },
    };
  }

  return {
    counter,
    histogram,
    gauge(name, help, read) {
      series.push({
        render(lines) {
          lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${read()}`);
        },
      });
    },
    render() {
      const lines: string[] = [];
      for (const entry of series) entry.render(lines);
      return `${lines.join("\n")}\n`;
    },
  };
}

const LATENCY_BUCKETS_SEC = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
const SIZE_BUCKETS_BYTES = [1024, 16384, 262144, 1048576, 16777216, 134217728, 1073741824];

/** The metric set of hanami; gauges are registered by the composition root with live sources. */
export function createHanamiMetrics(registry: Registry) {
  return {
    requests: registry.counter("hanami_requests_total", "HTTP requests answered", [
      "route",
      "method",
      "status",
    ]),
    requestDuration: registry.histogram(
      "hanami_request_duration_seconds",
      "Time from request to response headers",
      ["route"],
      LATENCY_BUCKETS_SEC,
    ),
    errors: registry.counter("hanami_errors_total", "Error responses by error code", ["code"]),
    sentBytes: registry.counter(
      "hanami_sent_bytes_total",
      "Response body bytes announced by Content-Length",
    ),
    receivedBytes: registry.counter(
      "hanami_received_bytes_total",
      "Blob bytes received and stored",
    ),
    uploads: registry.counter("hanami_uploads_total", "Uploads by result", ["result"]),
    uploadSize: registry.histogram(
      "hanami_upload_size_bytes",
      "Sizes of stored uploads",
      [],
      SIZE_BUCKETS_BYTES,
    ),
    unhandledErrors: registry.counter("hanami_unhandled_errors_total", "Internal errors (bugs)"),
  };
}

export type HanamiMetrics = ReturnType<typeof createHanamiMetrics>;
