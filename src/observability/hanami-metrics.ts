// hanami's metric set on the registry of metrics.ts: request, error, upload and shedding counters,
// and gauges whose values belong to their owners (pool, store, limiters, slots, video jobs,
// token cache), plugged in by the composition root.
import { droppedLogLines } from "./log.ts";
import type { Collected, Counter, Histogram, Registry } from "./metrics.ts";

/** Seconds, from a cached GET up to a slow multi-gigabyte upload. */
const LATENCY_BUCKETS_SEC = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120,
];
const SIZE_BUCKETS_BYTES = [
  1024, 16_384, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864, 268_435_456, 1_073_741_824,
  4_294_967_296,
];

export interface HanamiMetrics {
  /** route, method, status */
  readonly requests: Counter;
  /** route; seconds until the response headers */
  readonly requestDuration: Histogram;
  /** code: an ErrorCode */
  readonly errors: Counter;
  readonly receivedBytes: Counter;
  readonly sentBytes: Counter;
  /** result: created | existing | rejected */
  readonly uploads: Counter;
  readonly uploadSize: Histogram;
  /** reason: limiter | pool_full | draining */
  readonly requestsShed: Counter;
  readonly unhandledErrors: Counter;
  /** reason: idle | soft_limit; the server's own full collections (overload/memory-limit.ts) */
  readonly memoryCollections: Counter;
  /** reason; seconds the process was paused by them */
  readonly memoryCollectionSeconds: Counter;
  setPoolSource(read: () => { readonly queued: number; readonly busy: number }): void;
  setStoreSource(read: () => { readonly blobs: number; readonly bytes: number }): void;
  setLimiterSource(
    read: () => ReadonlyArray<{ readonly route: string; readonly limit: number }>,
  ): void;
  setTokenCacheSource(read: () => { readonly hits: number; readonly misses: number }): void;
  setUploadSlotsSource(read: () => number): void;
  setVideoSource(read: () => { readonly running: number; readonly waiting: number }): void;
}

/**
 * The metric set of hanami. Live values (pool, store, limiter, token cache) belong to their
 * owners; the composition root plugs them in with `set…Source`, and until then they have no sample.
 */
export function createHanamiMetrics(registry: Registry): HanamiMetrics {
  const none: Collected = [];
  let pool: (() => { queued: number; busy: number }) | null = null;
  let store: (() => { blobs: number; bytes: number }) | null = null;
  let limiter: (() => ReadonlyArray<{ route: string; limit: number }>) | null = null;
  let tokenCache: (() => { hits: number; misses: number }) | null = null;
  let uploadSlots: (() => number) | null = null;
  let video: (() => { running: number; waiting: number }) | null = null;

  const metrics = {
    requests: registry.counter("hanami_requests_total", "HTTP requests answered", [
      "route",
      "method",
      "status",
    ]),
    requestDuration: registry.histogram(
      "hanami_request_duration_seconds",
      "Time from request to response headers, per route",
      ["route"],
      LATENCY_BUCKETS_SEC,
    ),
    errors: registry.counter("hanami_errors_total", "Error responses by error code", ["code"]),
    receivedBytes: registry.counter("hanami_received_bytes_total", "Request body bytes read"),
    sentBytes: registry.counter(
      "hanami_sent_bytes_total",
      "Response body bytes sent: blobs and ranges (short JSON and text answers count 0)",
    ),
    uploads: registry.counter("hanami_uploads_total", "Uploads by result", ["result"]),
    uploadSize: registry.histogram(
      "hanami_upload_size_bytes",
      "Sizes of stored uploads",
      [],
      SIZE_BUCKETS_BYTES,
    ),
    requestsShed: registry.counter(
      "hanami_requests_shed_total",
      "Requests refused with 503 to protect the server",
      ["reason"],
    ),
    unhandledErrors: registry.counter("hanami_unhandled_errors_total", "Internal errors (bugs)"),
    memoryCollections: registry.counter(
      "hanami_memory_collections_total",
      "Full garbage collections the server asked for, by reason (idle, soft_limit)",
      ["reason"],
    ),
    memoryCollectionSeconds: registry.counter(
      "hanami_memory_collection_seconds_total",
      "Seconds spent in the full garbage collections the server asked for, by reason",
      ["reason"],
    ),
  };
  registry.gaugeFn("hanami_blobs_stored", "Blobs in the index", () => store?.().blobs ?? none);
  registry.gaugeFn("hanami_bytes_stored", "Bytes of stored blobs", () => store?.().bytes ?? none);
  registry.gaugeFn(
    "hanami_pool_queue_depth",
    "CPU pool tasks waiting",
    () => pool?.().queued ?? none,
  );
  registry.gaugeFn(
    "hanami_pool_busy_workers",
    "CPU pool workers running a task",
    () => pool?.().busy ?? none,
  );
  registry.gaugeFn(
    "hanami_limiter_limit",
    "Concurrency limit chosen by the adaptive limiter, per route",
    () => limiter?.().map(({ route, limit }) => ({ labels: { route }, value: limit })) ?? none,
  );
  registry.gaugeFn(
    "hanami_upload_slots_in_use",
    "Uploads, mirrors and media jobs in progress (capped by upload.maxConcurrent)",
    () => uploadSlots?.() ?? none,
  );
  registry.gaugeFn(
    "hanami_video_jobs_running",
    "ffmpeg/ffprobe jobs holding a permit of the video semaphore",
    () => video?.().running ?? none,
  );
  registry.gaugeFn(
    "hanami_video_jobs_waiting",
    "Video jobs waiting for a permit (past media.videoQueueLimit: 503)",
    () => video?.().waiting ?? none,
  );
  registry.counterFn(
    "hanami_token_cache_hits_total",
    "Auth tokens whose signature check was skipped thanks to the verified-token cache",
    () => tokenCache?.().hits ?? none,
  );
  registry.counterFn(
    "hanami_token_cache_misses_total",
    "Auth tokens whose signature had to be verified",
    () => tokenCache?.().misses ?? none,
  );
  registry.counterFn(
    "hanami_log_lines_dropped_total",
    "Log lines dropped because stdout took none while 4 MiB of them waited",
    droppedLogLines,
  );

  return {
    ...metrics,
    setPoolSource: (read) => {
      pool = read;
    },
    setStoreSource: (read) => {
      store = read;
    },
    setLimiterSource: (read) => {
      limiter = read;
    },
    setTokenCacheSource: (read) => {
      tokenCache = read;
    },
    setUploadSlotsSource: (read) => {
      uploadSlots = read;
    },
    setVideoSource: (read) => {
      video = read;
    },
  };
}
