// The composition root: Config → stores, pool, services, HTTP app; start and stop (STYLE rule 6).
import type { Config } from "./config/schema.ts";
import { createErrorResponder } from "./http/errors.ts";
import type { RouteSpec } from "./http/route.ts";
import { adminRoutes } from "./http/routes/admin.ts";
import { blobRoutes } from "./http/routes/blobs.ts";
import { landingRoutes, type ServerInfo } from "./http/routes/landing.ts";
import { listRoutes } from "./http/routes/list.ts";
import { mediaRoutes } from "./http/routes/media.ts";
import { metricsRoutes } from "./http/routes/metrics.ts";
import { mirrorRoutes } from "./http/routes/mirror.ts";
import { reportRoutes } from "./http/routes/report.ts";
import { uploadRoutes } from "./http/routes/upload.ts";
import { createHttpApp } from "./http/server.ts";
import { createVideoProcessor, reapVideoJobs } from "./media/video.ts";
import { createHanamiMetrics } from "./observability/hanami-metrics.ts";
import { createLogger } from "./observability/log.ts";
import { createRegistry, METRICS_CONTENT_TYPE } from "./observability/metrics.ts";
import {
  type ProcessSample,
  readProcessSample,
  registerProcessMetrics,
} from "./observability/process-metrics.ts";
import { acceptRequestId, createRequestIdGenerator } from "./observability/request-id.ts";
import { createRequestObserver } from "./observability/request-observer.ts";
import { createAdaptiveLimiter } from "./overload/limiter.ts";
import { watchMemory } from "./overload/memory-limit.ts";
import { createTokenBuckets } from "./overload/token-bucket.ts";
import { createUploadSlots } from "./overload/upload-slots.ts";
import { hostnameOf } from "./protocol/auth-token.ts";
import { createBlobService } from "./services/blobs.ts";
import { createMediaService } from "./services/media.ts";
import { createMirrorService } from "./services/mirror.ts";
import { createMirrorFetcher, systemResolve } from "./services/mirror-fetch.ts";
import { recoverAtStartup } from "./services/recovery.ts";
import { createReportService } from "./services/reports.ts";
import { createTokenVerifier } from "./services/token-verifier.ts";
import { createUploadService } from "./services/upload.ts";
import { markCleanShutdown, takeCleanShutdownMark } from "./storage/clean-shutdown.ts";
import { mediaCacheDir, openStores, type Stores, videoScratchDir } from "./stores.ts";
import { type Clock, systemClock } from "./util/clock.ts";
import { createKeyedMutex } from "./util/keyed-mutex.ts";
import { createCpuPool, defaultPoolSize } from "./workers/pool.ts";

/** The BUDs this configuration serves, for the landing page. */
export function supportedBuds(config: Config): string[] {
  const optional: Array<[string, boolean]> = [
    ["BUD-04", config.mirror.enabled],
    ["BUD-05", config.media.enabled],
    ["BUD-09", config.reports.enabled],
  ];
  const served = ["BUD-01", "BUD-02", "BUD-06", "BUD-08", "BUD-11", "BUD-12"];
  for (const [bud, enabled] of optional) if (enabled) served.push(bud);
  return served.sort();
}

/** Bun's own 413 has no CORS headers; ours do, so Bun's limit sits far above ours (reliability §0.6). */
const BUN_BODY_LIMIT_BYTES = 64 * 1024 ** 3;

export interface RunningServer {
  readonly port: number;
  stop(reason: string): Promise<void>;
}

function createVideo(config: Config) {
  const { media } = config;
  return createVideoProcessor({
    enabled: media.video,
    ffmpegPath: media.ffmpegPath,
    ffprobePath: media.ffprobePath,
    scratchDir: videoScratchDir(config),
    concurrency:
      media.videoConcurrency === 0
        ? Math.max(1, Math.floor(navigator.hardwareConcurrency / 2))
        : media.videoConcurrency,
    queueLimit: media.videoQueueLimit,
    timeoutMs: media.videoTimeoutMs,
    limits: {
      maxPixels: media.videoMaxPixels,
      maxDurationSec: media.videoMaxDurationSec,
      maxStreams: media.videoMaxStreams,
    },
    maxDimension: media.videoMaxDimension,
    maxOutputBytes: media.videoMaxBytes,
    crf: media.videoCrf,
    preset: media.videoPreset,
    maxMemoryBytes: media.videoMaxMemoryBytes,
  });
}

/** Without a configured public URL, the listening host names the server ("localhost" for any). */
function defaultHost(config: Config): string {
  return config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
}

function publicBaseUrlOf(config: Config, port: number): string {
  const configured = config.publicUrl.replace(/\/+$/, "");
  if (configured !== "") return configured;
  const host = defaultHost(config);
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

function serverNamesOf(config: Config): string[] {
  const own = config.publicUrl === "" ? defaultHost(config) : hostnameOf(config.publicUrl);
  return [own, ...config.serverAliases.map((alias) => alias.toLowerCase())];
}

/** Media jobs start at two per worker (at least 4) and mirrors at 16; both adapt to their latency. */
function createWorkLimiters(config: Config, poolSize: number, clock: Clock) {
  const limiter = (initialLimit: number, minLimit: number) =>
    createAdaptiveLimiter({
      initialLimit,
      minLimit,
      maxLimit: Math.max(initialLimit, config.upload.maxConcurrent),
      nowMs: () => clock.nowMs(),
    });
  return new Map([
    ["PUT /media", limiter(Math.max(4, 2 * poolSize), Math.max(2, poolSize))],
    ["PUT /mirror", limiter(16, 4)],
  ]);
}

function createServices(config: Config, clock: Clock, { store, metadata }: Stores) {
  const pool = createCpuPool({
    size: config.pool.size === 0 ? defaultPoolSize() : config.pool.size,
    queueLimit: config.pool.queueLimit,
    taskTimeoutMs: config.pool.taskTimeoutMs,
    workerUrl: new URL("./workers/cpu.worker.ts", import.meta.url),
  });
  const verifier = createTokenVerifier({
    pool,
    nowSec: () => clock.nowSec(),
    nowMs: () => clock.nowMs(),
    cacheSize: 10_000,
  });
  const locks = createKeyedMutex();
  const uploads = createUploadService({
    store,
    metadata,
    clock,
    locks,
    policy: {
      maxUploadBytes: config.upload.maxBytes,
      allowedTypes: config.upload.allowedTypes,
      allowedPubkeys: config.auth.allowedPubkeys,
      refuseActiveTypes: config.upload.refuseActiveTypes,
      requireContentLength: config.upload.requireContentLength,
      trustDeclaredHash: config.upload.trustDeclaredHash,
    },
  });
  const blobs = createBlobService({ store, metadata, locks, hotCache: config.blobCache });
  const reports = createReportService({
    metadata,
    store,
    locks,
    clock,
    // Reports carry no expiration; a verified one is remembered for an hour.
    verifySignature: (event) => verifier.verify(event, clock.nowSec() + 3600),
    perPubkeyPerHour: config.reports.perPubkeyPerHour,
  });
  const fetchBlob = createMirrorFetcher({
    ...config.mirror,
    resolve: systemResolve,
    maxBytes: config.upload.maxBytes,
    nowMs: () => clock.nowMs(),
  });
  const mirrors = createMirrorService({ fetchBlob, uploads });
  const video = createVideo(config);
  const media = createMediaService({
    pool,
    video,
    videoMaxBytes: config.media.videoMaxBytes,
    uploads,
    store,
    metadata,
    clock,
    policy: {
      maxUploadBytes: config.media.maxBytes,
      allowedTypes: [],
      allowedPubkeys: config.auth.allowedPubkeys,
      refuseActiveTypes: true,
      requireContentLength: config.upload.requireContentLength,
    },
    image: {
      maxPixels: config.media.maxPixels,
      maxDimension: config.media.maxDimension,
      thumbnailDimension: config.media.thumbnailDimension,
      format: config.media.imageFormat,
      quality: config.media.imageQuality,
      cacheDir: mediaCacheDir(config),
    },
  });
  return { pool, verifier, uploads, blobs, reports, mirrors, media, video };
}

type Services = ReturnType<typeof createServices>;

/** Live values read at scrape time; the store's totals are refreshed by each scrape. */
function createMetrics(services: Services, metadata: Stores["metadata"], version: string) {
  const registry = createRegistry();
  const metrics = createHanamiMetrics(registry);
  let stored = { blobs: 0, bytes: 0 };
  metrics.setStoreSource(() => stored);
  metrics.setPoolSource(() => services.pool.stats());
  metrics.setVideoSource(() => services.video.stats());
  metrics.setTokenCacheSource(() => {
    const stats = services.verifier.stats();
    return { hits: stats.cacheHits, misses: stats.cacheMisses };
  });
  let processSample: ProcessSample | null = null;
  registerProcessMetrics(registry, () => processSample, {
    startTimeSec: performance.timeOrigin / 1000,
    version,
    bunVersion: Bun.version,
  });
  const render = async () => {
    [stored, processSample] = await Promise.all([metadata.stats(), readProcessSample()]);
    return registry.render();
  };
  return { metrics, render };
}

function createRoutes(
  config: Config,
  services: Services,
  info: () => ServerInfo,
  observability: ReturnType<typeof createMetrics>,
): RouteSpec[] {
  const publicBaseUrl = () => info().publicUrl;
  const { metrics } = observability;
  const onStored = (size: number, created: boolean) => {
    metrics.uploads.inc({ result: created ? "created" : "existing" });
    metrics.uploadSize.observe({}, size);
    if (created) metrics.receivedBytes.inc({}, size);
  };
  const { uploads, blobs, reports, mirrors, media } = services;
  const { list } = config;
  return [
    ...landingRoutes(info),
    ...uploadRoutes({ uploads, publicBaseUrl, requireAuth: config.upload.requireAuth, onStored }),
    ...(config.mirror.enabled
      ? mirrorRoutes({ mirrors, publicBaseUrl, requireAuth: config.upload.requireAuth, onStored })
      : []),
    ...(config.media.enabled
      ? mediaRoutes({ media, publicBaseUrl, requireAuth: config.upload.requireAuth, onStored })
      : []),
    ...(list.enabled ? listRoutes({ blobs, publicBaseUrl, ...list }) : []),
    ...(config.metrics.enabled
      ? metricsRoutes({
          token: config.metrics.token,
          contentType: METRICS_CONTENT_TYPE,
          render: observability.render,
        })
      : []),
    ...(config.reports.enabled
      ? reportRoutes({ reports, maxBytes: config.reports.maxBytes, tosText: config.tosText })
      : []),
    ...(config.admin.token === "" ? [] : adminRoutes({ reports, token: config.admin.token })),
    ...blobRoutes({
      blobs,
      requireAuthForGet: config.auth.requireForGet,
      deleteEnabled: config.delete.enabled,
    }),
  ];
}

export async function startServer(
  config: Config,
  version: string,
  clock: Clock = systemClock,
): Promise<RunningServer> {
  const log = createLogger({ level: config.logLevel });
  const stores = await openStores(config, clock, (versions, ms) =>
    log.info("index migrated", { versions, ms }),
  );
  // Before the temp dir is cleared: an ffmpeg left by a crash still works in it (R10).
  const videoProcessesKilled = await reapVideoJobs(videoScratchDir(config));
  const afterCleanShutdown = await takeCleanShutdownMark(config.dataDir);
  const recovery = await recoverAtStartup(stores, clock.nowSec(), { afterCleanShutdown });
  log.info("recovery", {
    fullScan: recovery.fullScan,
    videoProcessesKilled,
    tempFilesRemoved: recovery.tempFilesRemoved,
    danglingRowsRemoved: recovery.danglingRowsRemoved.length,
    orphansAdopted: recovery.orphansAdopted.length,
    corruptOrphansRemoved: recovery.corruptOrphansRemoved.length,
  });
  const services = createServices(config, clock, stores);
  const observability = createMetrics(services, stores.metadata, version);
  let publicBaseUrl = publicBaseUrlOf(config, config.port);
  const buds = supportedBuds(config);
  const info = () => ({ name: "hanami", version, buds, publicUrl: publicBaseUrl });
  const requestIds = createRequestIdGenerator();
  const authLimiter = createAdaptiveLimiter({
    initialLimit: 64,
    minLimit: 2 * services.pool.stats().size,
    maxLimit: config.pool.queueLimit,
    nowMs: () => clock.nowMs(),
  });
  const workLimiters = createWorkLimiters(config, services.pool.stats().size, clock);
  observability.metrics.setLimiterSource(() => [
    { route: "auth", limit: authLimiter.limit() },
    ...[...workLimiters].map(([key, limiter]) => ({
      route: key.slice(key.indexOf("/") + 1), // "PUT /media" → "media"
      limit: limiter.limit(),
    })),
  ]);
  const uploadSlots = createUploadSlots({
    total: config.upload.maxConcurrent,
    perClient: config.upload.maxConcurrentPerClient,
  });
  observability.metrics.setUploadSlotsSource(() => uploadSlots.inUse());
  const app = createHttpApp({
    routes: createRoutes(config, services, info, observability),
    routeDeps: {
      auth: {
        serverNames: serverNamesOf(config),
        clockSkewSec: config.auth.clockSkewSec,
        nowSec: () => clock.nowSec(),
        verifySignature: (event, expiresAtSec, beforeCheck) =>
          services.verifier.verify(event, expiresAtSec, beforeCheck),
      },
      authLimiter,
      uploadSlots,
      workLimiters,
      verifyBuckets: createTokenBuckets({
        ratePerSec: config.auth.verifyRatePerClient,
        burst: config.auth.verifyBurstPerClient,
        maxClients: 10_000,
        nowMs: () => clock.nowMs(),
      }),
      trustedProxies: config.trustedProxies,
      nextRequestId: (incoming) => acceptRequestId(incoming) ?? requestIds.next(),
      onRequestDone: createRequestObserver(log, observability.metrics, config),
      errorResponse: createErrorResponder(),
      nowMs: () => clock.nowMs(),
    },
  });
  app.listen({
    hostname: config.host,
    port: config.port,
    reusePort: false, // a stale server on the same port must fail our start (bun-stack §7)
    development: false,
    idleTimeout: config.http.idleTimeoutSec,
    maxRequestBodySize: BUN_BODY_LIMIT_BYTES,
  });
  const server = app.server;
  if (server === null) throw new Error("server did not start");
  const port = server.port ?? config.port;
  publicBaseUrl = publicBaseUrlOf(config, port);
  log.info("listening", { host: config.host, port, url: publicBaseUrl });
  const stopWatchingMemory = watchMemory(config.memory, (reason, ms) => {
    const label = { reason: reason === "soft limit" ? "soft_limit" : reason };
    observability.metrics.memoryCollections.inc(label);
    observability.metrics.memoryCollectionSeconds.inc(label, ms / 1000);
    log.debug("memory collected", { reason, ms });
  });

  return {
    port,
    async stop(reason) {
      log.info("stopping", { reason, drainTimeoutMs: config.http.drainTimeoutMs });
      const drained = server.stop(false).then(() => true);
      const timedOut = Bun.sleep(config.http.drainTimeoutMs).then(() => false);
      const drainedInTime = await Promise.race([drained, timedOut]);
      if (!drainedInTime) await server.stop(true);
      stopWatchingMemory();
      services.video.close();
      await services.pool.close();
      await stores.metadata.close();
      // Requests cut by the drain timeout may have left a file without its row: scan next time.
      if (drainedInTime) await markCleanShutdown(config.dataDir);
      log.info("stopped", { reason, drained: drainedInTime });
    },
  };
}
