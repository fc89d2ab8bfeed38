// The cost of metrics on the request path (one counter inc, one histogram observe) and of one
// scrape of a registry the size of a busy server's, and of the process sample each scrape reads
// first (/proc/self/fd, /proc/self/limits). Run alone: `bun bench/micro/metrics.bench.ts`.
import { bench, do_not_optimize, group, run, summary } from "mitata";
import { createHanamiMetrics } from "../../src/observability/hanami-metrics.ts";
import { createRegistry } from "../../src/observability/metrics.ts";
import { readProcessSample } from "../../src/observability/process-metrics.ts";

const ROUTES = Array.from({ length: 30 }, (_, i) => `route_${i}`);
const METHODS = ["GET", "HEAD", "PUT", "DELETE"];
const STATUSES = ["200", "201", "304", "404", "503"];
const ERROR_CODES = ["bad_request", "auth_invalid", "not_found", "too_large", "busy", "internal"];

/** 30 routes × 4 methods × 5 statuses, a latency histogram per route, every source plugged in. */
function busyServerMetrics() {
  const registry = createRegistry();
  const metrics = createHanamiMetrics(registry);
  for (const route of ROUTES) {
    for (const method of METHODS) {
      for (const status of STATUSES) metrics.requests.labels(route, method, status).inc(12_345);
    }
    for (let i = 0; i < 50; i++) metrics.requestDuration.labels(route).observe(i / 100);
  }
  for (const code of ERROR_CODES) metrics.errors.labels(code).inc(7);
  for (const result of ["created", "existing", "rejected"]) metrics.uploads.labels(result).inc(3);
  metrics.uploadSize.observe({}, 1_500_000);
  metrics.setPoolSource(() => ({ queued: 2, busy: 4 }));
  metrics.setStoreSource(() => ({ blobs: 120_000, bytes: 98_765_432_100 }));
  metrics.setLimiterSource(() => ROUTES.map((route) => ({ route, limit: 64 })));
  metrics.setTokenCacheSource(() => ({ hits: 1_000_000, misses: 20_000 }));
  return { registry, metrics };
}

const { registry, metrics } = busyServerMetrics();
const heldCounter = metrics.requests.labels("route_7", "GET", "200");
const heldHistogram = metrics.requestDuration.labels("route_7");

group("per request", () => {
  summary(() => {
    bench("counter inc, held child", () => heldCounter.inc());
    bench("counter inc, labels(route, method, status)", () =>
      metrics.requests.labels("route_7", "GET", "200").inc(),
    );
    bench("counter inc, { route, method, status } object", () =>
      metrics.requests.inc({ route: "route_7", method: "GET", status: "200" }),
    );
    bench("counter inc, one label { code }", () => metrics.errors.inc({ code: "not_found" }));
  });
  summary(() => {
    bench("histogram observe, held child", () => heldHistogram.observe(0.042));
    bench("histogram observe, { route } object", () =>
      metrics.requestDuration.observe({ route: "route_7" }, 0.042),
    );
  });
});

const scrape = registry.render();
group(`scrape: render() of ${scrape.split("\n").length - 1} lines, ${scrape.length} bytes`, () => {
  bench("registry.render()", () => do_not_optimize(registry.render()));
  bench("readProcessSample() (the scrape's /proc reads)", async () =>
    do_not_optimize(await readProcessSample()),
  );
});

if (import.meta.main) await run({ colors: false });
