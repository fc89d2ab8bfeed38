// Every setting of hanami: type, default, unit in its name, one-line description (STYLE §3.7).
// docs/CONFIG.md and docs/hanami.example.yaml are generated from this file.
import { isIP } from "node:net";
import { type Static, type TSchema, Type } from "@sinclair/typebox";

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

const int = (defaultValue: number, description: string, minimum = 0) =>
  Type.Integer({ default: defaultValue, minimum, description });
const bool = (defaultValue: boolean, description: string) =>
  Type.Boolean({ default: defaultValue, description });
const str = (defaultValue: string, description: string) =>
  Type.String({ default: defaultValue, description });
const list = (description: string) => Type.Array(Type.String(), { default: [], description });

export const ConfigSchema = Type.Object({
  host: str("0.0.0.0", "Address to listen on"),
  port: int(3000, "TCP port to listen on; 0 picks a free port"),
  dataDir: str("./data", "Directory for blobs, temp files and the SQLite index (one file system)"),
  publicUrl: str(
    "",
    "Public base URL of this server (e.g. https://cdn.example.com); its host is the name BUD-11 server tags must carry. Empty: http://<host>:<port>, with localhost for a wildcard host",
  ),
  serverAliases: list("Extra host names accepted in BUD-11 server tags"),
  trustedProxies: list("IP addresses whose X-Forwarded-For is trusted for the client address"),
  logLevel: Type.Union(
    [Type.Literal("debug"), Type.Literal("info"), Type.Literal("warn"), Type.Literal("error")],
    { default: "info", description: "Lowest level of log lines written" },
  ),
  logRequests: Type.Union([Type.Literal("all"), Type.Literal("failures")], {
    default: "all",
    description:
      'Request lines at info: "all" (one per request) or "failures" (only refused and failed requests; the metrics still count all)',
  }),
  logClientIp: Type.Union(
    [Type.Literal("all"), Type.Literal("except-reads"), Type.Literal("none")],
    {
      default: "except-reads",
      description:
        'Which request lines carry the client address (from a trusted proxy, X-Forwarded-For\'s first entry): "all"; "except-reads" (not a GET, HEAD or OPTIONS that was answered without an error: who read what stays out of the logs, and a served read saves a system call); "none". Signed requests are rate-limited per address whatever this says',
    },
  ),
  upload: Type.Object({
    maxBytes: int(100 * MiB, "Largest blob accepted by PUT /upload, in bytes"),
    allowedTypes: list('MIME types accepted, patterns like "image/*"; empty: all'),
    refuseActiveTypes: bool(
      false,
      "Refuse HTML, SVG and XHTML uploads with 415 (otherwise served as attachments)",
    ),
    requireContentLength: bool(false, "Answer 411 to uploads without Content-Length"),
    trustDeclaredHash: bool(
      true,
      "Answer 200 from X-SHA-256 alone when the blob is already stored",
    ),
    requireAuth: bool(true, "Require a BUD-11 upload token"),
    maxConcurrent: int(
      128,
      "Uploads, mirrors and media jobs in progress at once; past it 503 with Retry-After",
      1,
    ),
    maxConcurrentPerClient: int(
      16,
      "Uploads, mirrors and media jobs in progress at once from one client address",
      1,
    ),
  }),
  auth: Type.Object({
    allowedPubkeys: list("Hex pubkeys allowed to upload; empty: anyone"),
    clockSkewSec: int(60, "How far in the future a token's created_at may be, in seconds"),
    verifyRatePerClient: int(
      50,
      "Signature checks per second for one client address (sustained; cached tokens are free); past it 429. 0: no limit",
    ),
    verifyBurstPerClient: int(
      200,
      "Signature checks one client address may burst before verifyRatePerClient applies",
      1,
    ),
    requireForGet: bool(false, "Require a BUD-11 get token to download blobs"),
  }),
  list: Type.Object({
    enabled: bool(true, "Serve GET /list/<pubkey>"),
    requireAuth: bool(false, "Require a BUD-11 list token"),
    ownOnly: bool(false, "Only the token's own pubkey may be listed"),
  }),
  delete: Type.Object({
    enabled: bool(true, "Serve DELETE /<sha256> (always with a delete token)"),
  }),
  mirror: Type.Object({
    enabled: bool(true, "Serve PUT /mirror (BUD-04)"),
    allowHosts: list("host or host:port exempt from the mirror address guard (tests only)"),
    connectTimeoutMs: int(10_000, "Longest wait for the origin to accept the connection, in ms", 1),
    totalTimeoutMs: int(120_000, "Longest a whole mirror download may take, in ms", 1),
    minBytesPerSec: int(
      16_384,
      "Slowest origin tolerated after the first 5 s, in bytes per second",
    ),
    maxRedirects: int(5, "Redirects followed, each one checked again"),
  }),
  blobCache: Type.Object({
    maxEntryBytes: int(
      MiB,
      "Hot blobs up to this size are served from memory: up to 64 KiB from their first read, larger ones from their second and only into free room of maxTotalBytes. Larger blobs keep only their file handle",
    ),
    maxTotalBytes: int(32 * MiB, "Bytes of hot blobs held in memory, all together"),
    // Each entry is a native object the garbage collector visits: a 10,000-entry cache churned by
    // random GETs halved the rate of hot GETs (docs/PERFORMANCE.md).
    maxEntries: int(3_000, "Hot blobs remembered (bytes or file handle); 0: no cache"),
  }),
  memory: Type.Object({
    // The engine sizes its heap from the machine's RAM, not from a container's memory limit.
    softLimitBytes: int(
      0,
      "Resident memory above which the server runs a full garbage collection (again only after another 16 MiB of growth): for containers with a memory limit; each collection pauses requests for 15-80 ms. 0: leave it to the engine",
    ),
    idleCollectAfterMs: int(
      1000,
      "After a burst of work (250 ms of CPU or more), a full garbage collection once the server has been quiet this long, so memory goes back down between bursts. 0: never",
    ),
  }),
  storage: Type.Object({
    reserveFreeBytes: int(GiB, "Uploads answer 503 when less than this many bytes are free"),
    fsync: bool(true, "fsync blobs and directories before acknowledging an upload"),
  }),
  http: Type.Object({
    idleTimeoutSec: int(
      30,
      "Seconds a connection may stay silent before it is closed (max 255)",
      1,
    ),
    drainTimeoutMs: int(10_000, "On SIGTERM, how long in-flight requests may finish, in ms"),
  }),
  media: Type.Object({
    enabled: bool(
      true,
      "Serve PUT and HEAD /media (BUD-05): images are re-encoded in the CPU pool, video by ffmpeg",
    ),
    maxBytes: int(
      32 * MiB,
      "Largest image original accepted by /media, in bytes (it is held in memory)",
      1,
    ),
    maxPixels: int(
      50_000_000,
      "Largest image (width × height × frames) decoded; bigger ones get 413",
      1,
    ),
    maxDimension: int(2048, "Longest side of an optimised image, in pixels", 16),
    thumbnailDimension: int(320, "Longest side of the thumbnail, in pixels", 16),
    imageFormat: Type.Union(
      [Type.Literal("webp"), Type.Literal("jpeg"), Type.Literal("avif"), Type.Literal("png")],
      {
        default: "webp",
        description: "Format of optimised images",
      },
    ),
    imageQuality: int(80, "Encoder quality of optimised images (1-100)", 1),
    video: bool(
      true,
      "Accept MP4, MOV, WebM and Matroska video on /media (needs ffmpeg and ffprobe; without them video gets 415)",
    ),
    ffmpegPath: str("ffmpeg", "ffmpeg executable: a path, or a name looked up in PATH"),
    ffprobePath: str("ffprobe", "ffprobe executable: a path, or a name looked up in PATH"),
    videoMaxBytes: int(
      256 * MiB,
      "Largest video original accepted by /media, in bytes (streamed to a temp file), and largest result",
      1,
    ),
    videoMaxPixels: int(
      3840 * 2160,
      "Largest video frame (width × height) accepted; bigger ones get 413 before any decoding",
      1,
    ),
    videoMaxDurationSec: int(
      300,
      "Longest video accepted, in seconds; longer ones get 413, and results are cut there",
      1,
    ),
    videoMaxStreams: int(8, "Most streams (video, audio, data) a video may have; more get 413", 1),
    videoMaxDimension: int(1280, "Longest side of a transcoded video, in pixels", 16),
    videoCrf: Type.Integer({
      default: 26,
      minimum: 0,
      maximum: 51,
      description: "H.264 constant rate factor of transcoded video (0-51, lower is better)",
    }),
    videoPreset: Type.Union(
      [
        Type.Literal("ultrafast"),
        Type.Literal("superfast"),
        Type.Literal("veryfast"),
        Type.Literal("faster"),
        Type.Literal("fast"),
        Type.Literal("medium"),
        Type.Literal("slow"),
      ],
      { default: "veryfast", description: "x264 preset of transcoded video (slower: smaller)" },
    ),
    videoTimeoutMs: int(
      300_000,
      "Wall-clock limit of each ffprobe and ffmpeg run; then the process group is killed (422)",
      1,
    ),
    videoMaxMemoryBytes: int(
      4 * GiB,
      "Address-space limit of each ffprobe and ffmpeg run, set with prlimit (util-linux) when installed; 0: none",
    ),
    videoConcurrency: int(0, "ffmpeg processes at once; 0: half the cores, at least 1"),
    videoQueueLimit: int(4, "Video jobs waiting for ffmpeg before /media answers 503", 0),
  }),
  reports: Type.Object({
    enabled: bool(true, "Accept BUD-09 reports at PUT /report"),
    maxBytes: int(65_536, "Largest report event accepted, in bytes", 1),
    perPubkeyPerHour: int(30, "Reports one pubkey may send per hour before 429", 1),
  }),
  admin: Type.Object({
    token: str(
      "",
      "Bearer token of the admin API (/admin/...); empty: admin API off. Prefer HANAMI_ADMIN_TOKEN_FILE",
    ),
  }),
  tosText: str(
    "Blobs on this server must be legal where it runs. Report abuse with a NIP-56 event at PUT /report.",
    "Rules and terms of service shown at GET /tos (B09-06)",
  ),
  metrics: Type.Object({
    enabled: bool(true, "Serve Prometheus metrics at GET /metrics"),
    token: str(
      "",
      "Bearer token required by GET /metrics; empty: open. Prefer HANAMI_METRICS_TOKEN_FILE",
    ),
  }),
  pool: Type.Object({
    size: int(0, "CPU worker threads; 0: cores - 1, at least 1"),
    queueLimit: int(256, "Tasks waiting for a worker before requests get 503", 1),
    taskTimeoutMs: int(30_000, "Longest a CPU task may run before its worker is replaced", 1),
  }),
});

export type Config = Static<typeof ConfigSchema>;

/** Cross-field and format rules the schema cannot express; each returns problems by path. */
export const CONFIG_RULES: ReadonlyArray<
  (config: Config) => Array<{ path: string; expected: string }>
> = [
  (config) => {
    if (config.publicUrl === "") return [];
    try {
      const url = new URL(config.publicUrl);
      const ok = (url.protocol === "http:" || url.protocol === "https:") && url.pathname === "/";
      return ok
        ? []
        : [{ path: "publicUrl", expected: "an http(s) URL at the domain root (B01-06)" }];
    } catch {
      return [{ path: "publicUrl", expected: "an absolute http(s) URL" }];
    }
  },
  (config) =>
    config.auth.allowedPubkeys
      .filter((key) => !/^[0-9a-f]{64}$/.test(key))
      .map(() => ({
        path: "auth.allowedPubkeys",
        expected: "64 lower-case hex characters per pubkey",
      })),
  (config) =>
    config.trustedProxies
      .filter((address) => isIP(address) === 0)
      .map(() => ({ path: "trustedProxies", expected: "IP addresses" })),
  (config) =>
    config.http.idleTimeoutSec > 255
      ? [{ path: "http.idleTimeoutSec", expected: "at most 255" }]
      : [],
  (config) => (config.port > 65535 ? [{ path: "port", expected: "a TCP port 0-65535" }] : []),
];

export type { TSchema };
