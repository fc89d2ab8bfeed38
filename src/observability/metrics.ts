// A small Prometheus registry (text exposition format 0.0.4) with no dependency. Children are
// cached per label set, so `inc`/`observe` allocate nothing after a label set's first use; gauges
// and counters owned by other parts (pool, store, limiter, token cache) are read at scrape time.
// hanami's own metric set is in hanami-metrics.ts.

export type LabelValues = Readonly<Record<string, string>>;

export interface CounterChild {
  inc(by?: number): void;
}
export interface Counter {
  /** The child for one label set, values in `labelNames` order; hold it on hot paths. */
  labels(...values: string[]): CounterChild;
  inc(labels?: LabelValues, by?: number): void;
}

export interface GaugeChild {
  set(value: number): void;
  inc(by?: number): void;
  dec(by?: number): void;
}
export interface Gauge {
  labels(...values: string[]): GaugeChild;
  set(labels: LabelValues, value: number): void;
}

export interface HistogramChild {
  observe(value: number): void;
}
export interface Histogram {
  labels(...values: string[]): HistogramChild;
  observe(labels: LabelValues, value: number): void;
}

/** What a scrape-time callback returns: one unlabelled value, or one sample per label set. */
export type Collected = number | ReadonlyArray<{ labels: LabelValues; value: number }>;

export interface Registry {
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  gauge(name: string, help: string, labelNames?: readonly string[]): Gauge;
  histogram(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ): Histogram;
  /** A gauge whose value lives elsewhere (queue depth, blobs stored), read at scrape time. */
  gaugeFn(name: string, help: string, collect: () => Collected): void;
  /** A counter kept elsewhere as a running total (token cache hits), read at scrape time. */
  counterFn(name: string, help: string, collect: () => Collected): void;
  render(): string;
}

/** The Content-Type of `render()`'s output. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  if (Number.isFinite(value)) return String(value);
  if (Number.isNaN(value)) return "NaN";
  return value > 0 ? "+Inf" : "-Inf";
}

function checkLabelName(name: string): void {
  if (!LABEL_NAME.test(name) || name.startsWith("__")) {
    throw new Error(`invalid label name ${JSON.stringify(name)}`);
  }
}

/** `a="x",b="y"`, without braces, so a histogram can append `le`. */
function pairsText(names: readonly string[], values: readonly string[]): string {
  return names.map((name, i) => `${name}="${escapeLabelValue(values[i] ?? "")}"`).join(",");
}

function braced(pairs: string): string {
  return pairs === "" ? "" : `{${pairs}}`;
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

/** A level of a family's children: one map per label, in `labelNames` order, the last holds them. */
type Level<Child> = Map<string, Level<Child> | Child>;

/** The value of label `index`: `source` is the values in label order, or the labels by name. */
function valueAt(
  source: readonly string[] | LabelValues,
  labelNames: readonly string[],
  index: number,
): string {
  const value = Array.isArray(source)
    ? (source as readonly string[])[index]
    : (source as LabelValues)[labelNames[index] as string];
  return value ?? "";
}

/**
 * The children of one metric, found by one map lookup per label value: no key string is built,
 * which halved the cost of a three-label `inc` (bench/micro/metrics.bench.ts).
 */
function createFamily<Child>(
  labelNames: readonly string[],
  make: (pairs: string) => Child,
): { byValues(values: readonly string[]): Child; byLabels(labels: LabelValues): Child } {
  const root: Level<Child> = new Map();
  const last = labelNames.length - 1;
  let unlabelled: Child | undefined;
  function childOf(source: readonly string[] | LabelValues): Child {
    if (last < 0) {
      unlabelled ??= make("");
      return unlabelled;
    }
    let level = root;
    for (let index = 0; index < last; index++) {
      const value = valueAt(source, labelNames, index);
      let next = level.get(value) as Level<Child> | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(value, next);
      }
      level = next;
    }
    const value = valueAt(source, labelNames, last);
    const held = level.get(value) as Child | undefined;
    if (held !== undefined) return held;
    const values = labelNames.map((_, index) => valueAt(source, labelNames, index));
    const child = make(pairsText(labelNames, values));
    level.set(value, child);
    return child;
  }
  return {
    byValues(values) {
      if (values.length !== labelNames.length) {
        throw new Error(`expected ${labelNames.length} label values, got ${values.length}`);
      }
      return childOf(values);
    },
    byLabels: childOf,
  };
}

/** One series of a counter or gauge; counters expose only `inc`. */
class Sample implements GaugeChild {
  value = 0;
  constructor(readonly pairs: string) {}
  inc(by = 1): void {
    this.value += by;
  }
  dec(by = 1): void {
    this.value -= by;
  }
  set(value: number): void {
    this.value = value;
  }
}

class HistogramSeries implements HistogramChild {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(
    readonly pairs: string,
    private readonly bounds: readonly number[],
  ) {
    this.counts = bounds.map(() => 0);
  }
  observe(value: number): void {
    const { bounds, counts } = this;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        counts[i] = (counts[i] as number) + 1;
        break;
      }
    }
    this.sum += value;
    this.count += 1;
  }
}

function renderCollected(name: string, collected: Collected): string {
  if (typeof collected === "number") return `${name} ${formatValue(collected)}\n`;
  let out = "";
  for (const { labels, value } of collected) {
    const names = Object.keys(labels);
    for (const label of names) checkLabelName(label);
    const pairs = pairsText(
      names,
      names.map((label) => labels[label] ?? ""),
    );
    out += `${name}${braced(pairs)} ${formatValue(value)}\n`;
  }
  return out;
}

export function createRegistry(): Registry {
  const renderers: Array<() => string> = [];
  const names = new Set<string>();

  function declare(name: string, labelNames: readonly string[]): void {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
    if (names.has(name)) throw new Error(`metric ${name} is already registered`);
    for (const label of labelNames) checkLabelName(label);
    names.add(name);
  }

  function samples(name: string, type: string, help: string, labelNames: readonly string[]) {
    declare(name, labelNames);
    const all: Sample[] = [];
    const family = createFamily(labelNames, (pairs) => {
      const sample = new Sample(pairs);
      all.push(sample);
      return sample;
    });
    const head = header(name, help, type);
    renderers.push(() => {
      let out = head;
      for (const s of all) out += `${name}${braced(s.pairs)} ${formatValue(s.value)}\n`;
      return out;
    });
    return family;
  }

  function counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const family = samples(name, "counter", help, labelNames);
    return {
      labels: (...values) => family.byValues(values),
      inc: (labels = {}, by = 1) => family.byLabels(labels).inc(by),
    };
  }

  function gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    const family = samples(name, "gauge", help, labelNames);
    return {
      labels: (...values) => family.byValues(values),
      set: (labels, value) => family.byLabels(labels).set(value),
    };
  }

  function histogram(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ): Histogram {
    declare(name, labelNames);
    if (labelNames.includes("le")) throw new Error(`${name}: "le" is reserved in histograms`);
    if (
      buckets.some((bound, i) => !Number.isFinite(bound) || bound <= (buckets[i - 1] ?? -Infinity))
    ) {
      throw new Error(`${name}: buckets must be finite and strictly increasing`);
    }
    const bounds = [...buckets];
    const les = bounds.map((bound) => `le="${formatValue(bound)}"`);
    const all: HistogramSeries[] = [];
    const family = createFamily(labelNames, (pairs) => {
      const series = new HistogramSeries(pairs, bounds);
      all.push(series);
      return series;
    });
    const head = header(name, help, "histogram");
    renderers.push(() => {
      let out = head;
      for (const child of all) {
        const prefix = child.pairs === "" ? "" : `${child.pairs},`;
        let cumulative = 0;
        for (let i = 0; i < bounds.length; i++) {
          cumulative += child.counts[i] as number;
          out += `${name}_bucket{${prefix}${les[i]}} ${cumulative}\n`;
        }
        out += `${name}_bucket{${prefix}le="+Inf"} ${child.count}\n`;
        out += `${name}_sum${braced(child.pairs)} ${formatValue(child.sum)}\n`;
        out += `${name}_count${braced(child.pairs)} ${child.count}\n`;
      }
      return out;
    });
    return {
      labels: (...values) => family.byValues(values),
      observe: (labels, value) => family.byLabels(labels).observe(value),
    };
  }

  function collectedMetric(type: string) {
    return (name: string, help: string, collect: () => Collected): void => {
      declare(name, []);
      const head = header(name, help, type);
      renderers.push(() => head + renderCollected(name, collect()));
    };
  }

  return {
    counter,
    gauge,
    histogram,
    gaugeFn: collectedMetric("gauge"),
    counterFn: collectedMetric("counter"),
    render() {
      let out = "";
      for (const render of renderers) out += render();
      return out;
    },
  };
}
