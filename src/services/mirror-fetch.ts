// The guarded outbound client of /mirror (P-17, reliability A1): resolve once, refuse any
// non-public address before a socket opens, connect to the address that was checked (pinned),
// follow redirects by hand re-checking every hop, cap bytes and time while streaming. Connections
// are kept alive per host: a kept socket was checked when it was opened, and every request checks
// its host's addresses again before it may use one.
// Never Bun's fetch for user URLs: it reads file:// and signs s3:// (reliability §0.2).
import { lookup as dnsLookup } from "node:dns/promises";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { BlossomError, orThrow } from "../protocol/errors.ts";
import { classifyAddress, parseMirrorUrl } from "../protocol/ssrf.ts";

export interface MirrorFetchOptions {
  readonly resolve: (hostname: string) => Promise<string[]>;
  /** host or host:port exempt from the address check (tests mirroring from loopback). */
  readonly allowHosts: readonly string[];
  readonly connectTimeoutMs: number;
  readonly totalTimeoutMs: number;
  readonly minBytesPerSec: number;
  readonly maxRedirects: number;
  readonly maxBytes: number;
  readonly nowMs: () => number;
  /** Told of every connection attempt, right before it is made (tests record them). */
  readonly onConnect?: (address: string, port: number, url: URL) => void;
}

export interface MirrorResponse {
  readonly finalUrl: URL;
  readonly contentType: string | null;
  readonly contentLength: number | null;
  readonly body: AsyncIterable<Uint8Array>;
}

/** The system resolver, every A and AAAA record. */
export async function systemResolve(hostname: string): Promise<string[]> {
  const records = await dnsLookup(hostname, { all: true, verbatim: true });
  return records.map((record) => record.address);
}

const REFUSED = "mirror target address is not allowed";
const RATE_GRACE_MS = 5000;

function portOf(url: URL): number {
  return url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

async function checkedAddress(url: URL, options: MirrorFetchOptions): Promise<string> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const exempt =
    options.allowHosts.includes(host) || options.allowHosts.includes(`${host}:${portOf(url)}`);
  let addresses: string[];
  try {
    addresses = isIP(host) !== 0 ? [host] : await options.resolve(host); // one lookup per hop
  } catch (error) {
    throw new BlossomError(
      "upstream_failed",
      "mirror host could not be resolved",
      {},
      { cause: error },
    );
  }
  if (addresses.length === 0)
    throw new BlossomError("upstream_failed", "mirror host has no address");
  if (!exempt && addresses.some((address) => !classifyAddress(address).allowed)) {
    throw new BlossomError("forbidden", REFUSED); // the same reason for every blocked address
  }
  return addresses[0] as string;
}

interface Agents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

/** A few kept connections per origin; idle ones close before origins usually drop them. */
function createAgents(): Agents {
  const settings = { keepAlive: true, maxSockets: 16, maxFreeSockets: 4, timeout: 30_000 };
  return { http: new http.Agent(settings), https: new https.Agent(settings) };
}

function request(
  url: URL,
  address: string,
  options: MirrorFetchOptions,
  agents: Agents,
  signal: AbortSignal,
) {
  const isHttps = url.protocol === "https:";
  const client = isHttps ? https : http;
  options.onConnect?.(address, portOf(url), url);
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = client.request(url, {
      method: "GET",
      agent: isHttps ? agents.https : agents.http,
      headers: { "accept-encoding": "identity", "user-agent": "hanami-mirror" },
      // Pinning: the socket goes to the address we checked, never to a second lookup.
      lookup: (_host, _opts, done) => done(null, address, isIP(address)),
      signal,
    });
    const connectTimer = setTimeout(
      () =>
        req.destroy(new BlossomError("upstream_failed", "mirror origin did not connect in time")),
      options.connectTimeoutMs,
    );
    req.on("socket", (socket) => {
      socket.setNoDelay(true);
      socket.once("connect", () => clearTimeout(connectTimer));
    });
    req.on("response", (res) => {
      clearTimeout(connectTimer);
      resolve(res);
    });
    req.on("error", (error) => {
      clearTimeout(connectTimer);
      reject(
        error instanceof BlossomError
          ? error
          : new BlossomError("upstream_failed", "mirror origin failed", {}, { cause: error }),
      );
    });
    req.end();
  });
}

async function* limitedBody(
  res: IncomingMessage,
  options: MirrorFetchOptions,
  startedMs: number,
  deadline: AbortController,
  finish: () => void,
) {
  let received = 0;
  try {
    for await (const chunk of res as AsyncIterable<Uint8Array>) {
      received += chunk.byteLength;
      if (received > options.maxBytes)
        throw new BlossomError(
          "too_large",
          `mirrored blob is larger than ${options.maxBytes} bytes`,
        );
      const elapsedMs = options.nowMs() - startedMs;
      if (elapsedMs > RATE_GRACE_MS && (received * 1000) / elapsedMs < options.minBytesPerSec) {
        throw new BlossomError("upstream_failed", "mirror origin is too slow");
      }
      yield chunk;
    }
    if (deadline.signal.aborted) throw new BlossomError("upstream_failed", "mirror took too long");
  } catch (error) {
    throw error instanceof BlossomError
      ? error
      : new BlossomError("upstream_failed", "mirror download failed", {}, { cause: error });
  } finally {
    finish();
    if (!res.complete) res.destroy(); // a body read to its end leaves its socket to the agent
  }
}

function resolveLocation(location: string, base: URL): string {
  try {
    return new URL(location, base).href;
  } catch {
    throw new BlossomError("upstream_failed", "mirror origin sent an invalid redirect");
  }
}

/** Follows up to `maxRedirects` hops, re-checking every hop's URL and address. */
async function openFinalResponse(
  rawUrl: string,
  options: MirrorFetchOptions,
  agents: Agents,
  signal: AbortSignal,
): Promise<{ url: URL; res: IncomingMessage }> {
  let url = orThrow(parseMirrorUrl(rawUrl)).url;
  for (let hop = 0; ; hop++) {
    const address = await checkedAddress(url, options);
    const res = await request(url, address, options, agents, signal);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status < 300 || status >= 400 || location === undefined) return { url, res };
    res.destroy();
    if (hop >= options.maxRedirects)
      throw new BlossomError("upstream_failed", "mirror origin redirects too often");
    url = orThrow(parseMirrorUrl(resolveLocation(location, url))).url;
  }
}

function declaredLength(res: IncomingMessage, maxBytes: number): number | null {
  const length = res.headers["content-length"];
  const contentLength = length !== undefined && /^\d+$/.test(length) ? Number(length) : null;
  if (contentLength !== null && contentLength > maxBytes) {
    res.destroy();
    throw new BlossomError("too_large", `mirrored blob is larger than ${maxBytes} bytes`);
  }
  return contentLength;
}

export function createMirrorFetcher(options: MirrorFetchOptions) {
  const agents = createAgents();
  return async function fetchBlob(rawUrl: string): Promise<MirrorResponse> {
    const startedMs = options.nowMs();
    const deadline = new AbortController();
    // Cleared once the body is read, so a finished request's kept socket is never aborted, and
    // at once when no body follows: a flood of failing mirrors must not leave a timer each.
    const timer = setTimeout(() => deadline.abort(), options.totalTimeoutMs).unref();
    try {
      const { url, res } = await openFinalResponse(rawUrl, options, agents, deadline.signal);
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) {
        res.destroy();
        throw new BlossomError("upstream_failed", `mirror origin answered ${status}`);
      }
      const contentLength = declaredLength(res, options.maxBytes);
      const type = res.headers["content-type"];
      return {
        finalUrl: url,
        contentType: typeof type === "string" ? type.replace(/[^\x20-\x7e]/g, "") : null,
        contentLength,
        body: limitedBody(res, options, startedMs, deadline, () => clearTimeout(timer)),
      };
    } catch (error) {
      clearTimeout(timer);
      throw error;
    }
  };
}

export type MirrorFetcher = ReturnType<typeof createMirrorFetcher>;
