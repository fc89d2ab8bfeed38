// Registers one route: auth first (fail closed), then the handler, then CORS, errors, metrics.
import type { Elysia } from "elysia";
import type { AdaptiveLimiter } from "../overload/limiter.ts";
import type { TokenBuckets } from "../overload/token-bucket.ts";
import type { UploadSlots } from "../overload/upload-slots.ts";
import { BlossomError } from "../protocol/errors.ts";
import {
  type AuthDeps,
  authenticateAtOnce,
  authenticateToken,
  RequestAuth,
  type RouteAuth,
  type RouteAuthSpec,
} from "./auth.ts";
import { addCorsHeaders } from "./cors.ts";
import { type ErrorResponder, toBlossomError } from "./errors.ts";

export type RouteMethod = "GET" | "HEAD" | "PUT" | "DELETE" | "POST";

export interface RouteInput {
  readonly request: Request;
  readonly url: URL;
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly auth: RequestAuth;
  /** Re-arms Bun's idle timer: request-body bytes do not (bun-stack §1). Call per chunk. */
  readonly keepAlive: () => void;
  readonly requestId: string;
}

export interface RouteSpec {
  readonly method: RouteMethod;
  readonly path: string;
  /** No default: a route without an auth statement does not compile (STYLE rule 4). */
  readonly auth: RouteAuth;
  /** The route label for metrics and logs. */
  readonly name: string;
  /** Carries a blob body or fetches one (upload, mirror, media): runs only within an upload slot. */
  readonly holdsUploadSlot?: boolean;
  /**
   * Served as a Bun route, without Elysia's per-request context: for the hottest paths only
   * (GET and HEAD of a blob; uploads, whose refusals are what a flood costs; docs/PERFORMANCE.md).
   * The path must have no wildcard.
   */
  readonly bunRoute?: boolean;
  readonly handle: (input: RouteInput) => Promise<Response> | Response;
  /**
   * Answers at once, without auth, waiting or failure (a hot blob for a route that ignores
   * tokens), or returns undefined and `handle` runs as usual: errors are `handle`'s to report.
   * `params` are the router's, percent-decoded.
   */
  readonly answerAtOnce?:
    | ((
        request: Request,
        params: Readonly<Record<string, string | undefined>>,
      ) => Response | undefined)
    | undefined;
}

export interface RequestOutcome {
  readonly route: string;
  readonly method: string;
  readonly status: number;
  readonly durationMs: number;
  readonly requestId: string;
  readonly error: BlossomError | null;
  readonly responseBytes: number;
  /**
   * The peer address, or X-Forwarded-For's first entry when the peer is a trusted proxy. Worked
   * out on first read: asking Bun for the peer costs 5 % of a GET (docs/PERFORMANCE.md).
   */
  readonly clientIp: string | null;
}

export interface RouteDeps {
  readonly auth: AuthDeps;
  readonly authLimiter: Pick<AdaptiveLimiter, "tryAcquire">;
  /** Adaptive limits on the work of heavy routes, by "METHOD /path" (e.g. "PUT /media"). */
  readonly workLimiters: ReadonlyMap<string, Pick<AdaptiveLimiter, "tryAcquire">>;
  /** Signature checks per client address, taken before the check (reliability A4). */
  readonly verifyBuckets: TokenBuckets;
  readonly uploadSlots: Pick<UploadSlots, "tryAcquire">;
  /** Peers whose X-Forwarded-For is believed (reliability A11); empty = none. */
  readonly trustedProxies: readonly string[];
  readonly nextRequestId: (incoming: string | null) => string;
  readonly onRequestDone: (outcome: RequestOutcome) => void;
  readonly errorResponse: ErrorResponder;
  readonly nowMs: () => number;
}

interface ServerHandle {
  timeout(request: Request, seconds: number): void;
  requestIP(request: Request): { address: string } | null;
}

/** The client's address, worked out on first read (asking Bun for the peer is not free). */
class Client {
  #ip: string | null | undefined;
  constructor(
    private readonly request: Request,
    private readonly server: ServerHandle | null,
    private readonly trusted: readonly string[],
  ) {}

  get ip(): string | null {
    if (this.#ip === undefined) {
      const peer = this.server?.requestIP(this.request)?.address ?? null;
      const forwarded =
        peer !== null && this.trusted.includes(peer)
          ? this.request.headers.get("x-forwarded-for")?.split(",")[0]?.trim()
          : undefined;
      this.#ip = forwarded === undefined || forwarded === "" ? peer : forwarded;
    }
    return this.#ip;
  }
}

/** What `onRequestDone` gets; the client address is read from `client` only if a line needs it. */
class Outcome implements RequestOutcome {
  constructor(
    readonly route: string,
    readonly method: string,
    readonly status: number,
    readonly durationMs: number,
    readonly requestId: string,
    readonly error: BlossomError | null,
    readonly responseBytes: number,
    private readonly client: Client,
  ) {}

  get clientIp(): string | null {
    return this.client.ip;
  }
}

/** Enough for the slowest live client we serve; uWS ticks every 4 s, so at least 8 (bun-stack §1). */
const UPLOAD_IDLE_SEC = 30;

/** A signature check (not a cached one) costs the client address a token first (A4). */
function withVerifyBudget(deps: RouteDeps, client: Client): AuthDeps {
  const takeToken = () => {
    const waitSec = deps.verifyBuckets.take(client.ip);
    if (waitSec > 0) {
      throw new BlossomError("rate_limited", "too many signed requests from this address", {
        retryAfterSec: waitSec,
      });
    }
  };
  return {
    ...deps.auth,
    verifySignature: (event, expiresAtSec) =>
      deps.auth.verifySignature(event, expiresAtSec, takeToken),
  };
}

/** Signature checks are the CPU cost that bursts: their concurrency adapts to latency (A4). */
async function authenticateWithinLimit(
  request: Request,
  auth: RouteAuthSpec,
  deps: RouteDeps,
  client: Client,
): Promise<RequestAuth> {
  const verifiesToken = request.headers.has("authorization");
  const permit = verifiesToken ? deps.authLimiter.tryAcquire() : undefined;
  if (permit === null) {
    throw new BlossomError("busy", "too many signature checks in flight, retry later", {
      retryAfterSec: 1,
    });
  }
  try {
    const result = await authenticateToken(
      request,
      auth,
      verifiesToken ? withVerifyBudget(deps, client) : deps.auth,
    );
    permit?.release("success");
    return result;
  } catch (error) {
    permit?.release(error instanceof BlossomError && error.code === "busy" ? "dropped" : "success");
    throw error;
  }
}

/** A declared body up to this size has (nearly) arrived: Bun skips it and keeps the connection. */
const SKIPPABLE_BODY_BYTES = 64 * 1024;

/**
 * A large or unframed body we answered before reading to its end (a refusal, or the X-SHA-256
 * fast path) would keep its connection busy, and a graceful stop waiting for it, until the
 * client gives up: such connections are closed after the response instead. A small one is not:
 * a shed upload that also cost a new connection made shedding the flood's main cost.
 */
function leavesBodyUnread(request: Request, failure: BlossomError | null): boolean {
  // A refusal looks at the length first: `request.body` makes a stream of a body nobody read.
  if (failure !== null) return !declaresSkippableBody(request) && request.body !== null;
  return request.body !== null && !request.bodyUsed && !declaresSkippableBody(request);
}

function declaresSkippableBody(request: Request): boolean {
  const declared = request.headers.get("content-length");
  return declared !== null && Number(declared) <= SKIPPABLE_BODY_BYTES;
}

/** Refused before the token is verified or the body read (reliability A5). */
function acquireUploadSlot(deps: RouteDeps, client: string | null): () => void {
  const slot = deps.uploadSlots.tryAcquire(client);
  if (typeof slot === "function") return slot;
  const reason =
    slot === "per_client"
      ? "too many uploads in progress from this address, retry later"
      : "too many uploads in progress, retry later";
  throw new BlossomError("busy", reason, { retryAfterSec: 1 });
}

/** Only answered work teaches the limiter its latency: a fast refusal would look like capacity. */
async function withinWorkLimit(
  limiter: Pick<AdaptiveLimiter, "tryAcquire">,
  route: string,
  work: () => Promise<Response> | Response,
): Promise<Response> {
  const permit = limiter.tryAcquire();
  if (permit === null) {
    throw new BlossomError("busy", `too many ${route} jobs in progress, retry later`, {
      retryAfterSec: 1,
    });
  }
  try {
    const response = await work();
    permit.release(response.ok ? "success" : "ignore");
    return response;
  } catch (error) {
    const overloaded = error instanceof BlossomError && error.code === "busy";
    permit.release(overloaded ? "dropped" : "ignore");
    throw error;
  }
}

export type RouteRunner = (
  request: Request,
  params: Readonly<Record<string, string | undefined>>,
  server: ServerHandle | null,
) => Promise<Response> | Response;

/** One route's request handling, with what does not change per request worked out once. */
export function routeRunner(spec: RouteSpec, deps: RouteDeps): RouteRunner {
  const workLimiter = deps.workLimiters.get(`${spec.method} ${spec.path}`);
  const { answerAtOnce } = spec;
  if (answerAtOnce === undefined) {
    return (request, params, server) => runRoute(spec, workLimiter, request, params, server, deps);
  }
  return (request, params, server) => {
    const startedMs = deps.nowMs();
    const response = answerAtOnce(request, params);
    if (response === undefined) {
      return runRoute(spec, workLimiter, request, params, server, deps);
    }
    const requestId = deps.nextRequestId(request.headers.get("x-request-id"));
    const client = new Client(request, server, deps.trustedProxies);
    return finish(spec, deps, { request, response, failure: null, startedMs, requestId, client });
  };
}

interface Answered {
  readonly request: Request;
  readonly response: Response;
  readonly failure: BlossomError | null;
  readonly startedMs: number;
  readonly requestId: string;
  readonly client: Client;
}

/** The same for every answer: request id, connection handling, then metrics and the log line. */
function finish(spec: RouteSpec, deps: RouteDeps, answered: Answered): Response {
  const { request, response, failure } = answered;
  const headers = response.headers;
  headers.set("X-Request-Id", answered.requestId);
  if (leavesBodyUnread(request, failure)) headers.set("Connection", "close");
  deps.onRequestDone(
    new Outcome(
      spec.name,
      request.method,
      response.status,
      deps.nowMs() - answered.startedMs,
      answered.requestId,
      failure,
      // HEAD declares a length it does not send; bodies without a declared length count 0.
      request.method === "HEAD" ? 0 : Number(headers.get("content-length") ?? 0),
      answered.client,
    ),
  );
  return response;
}

async function runRoute(
  spec: RouteSpec,
  workLimiter: Pick<AdaptiveLimiter, "tryAcquire"> | undefined,
  request: Request,
  params: Readonly<Record<string, string | undefined>>,
  server: ServerHandle | null,
  deps: RouteDeps,
): Promise<Response> {
  const startedMs = deps.nowMs();
  const requestId = deps.nextRequestId(request.headers.get("x-request-id"));
  let response: Response;
  let failure: BlossomError | null = null;
  const client = new Client(request, server, deps.trustedProxies);
  let releaseSlot: (() => void) | undefined;
  try {
    if (spec.holdsUploadSlot === true) releaseSlot = acquireUploadSlot(deps, client.ip);
    const settled = authenticateAtOnce(request, spec.auth); // most reads: no await
    const auth =
      settled instanceof RequestAuth
        ? settled
        : await authenticateWithinLimit(request, settled, deps, client);
    const keepAlive = () => server?.timeout(request, UPLOAD_IDLE_SEC);
    let url: URL | undefined;
    const input: RouteInput = {
      request,
      get url() {
        url ??= new URL(request.url); // parsed only for the routes that read it
        return url;
      },
      params,
      auth,
      keepAlive,
      requestId,
    };
    const handle = () => spec.handle(input);
    // Most routes have no work limiter: no extra async frame on the GET path.
    response = await (workLimiter === undefined
      ? handle()
      : withinWorkLimit(workLimiter, spec.name, handle));
    if (auth.missedHashCheck) throw new BlossomError("internal", "route skipped its x-tag check");
    // Blob responses start from a header template that has them already (routes/blobs.ts).
    if (!response.headers.has("Access-Control-Allow-Origin")) addCorsHeaders(response.headers);
  } catch (error) {
    failure = toBlossomError(error);
    response = deps.errorResponse(failure, request.method);
  } finally {
    releaseSlot?.();
  }
  return finish(spec, deps, { request, response, failure, startedMs, requestId, client });
}

/** The routes Elysia dispatches (every one not marked `bunRoute`). */
export function registerRoutes(app: Elysia, specs: readonly RouteSpec[], deps: RouteDeps): Elysia {
  for (const spec of specs) {
    if (spec.bunRoute === true) continue;
    const run = routeRunner(spec, deps);
    app.route(
      spec.method,
      spec.path,
      ({ request, params, server }) => run(request, params, server),
      // Never let Elysia buffer or parse a body: uploads stream (bun-stack §1).
      { parse: "none" },
    );
  }
  return app;
}

type BunRouteHandler = (
  request: Request & { params: Record<string, string> },
  server: ServerHandle,
) => Promise<Response> | Response;

/** The routes marked `bunRoute`, as `Bun.serve({ routes })` takes them: path → method → handler. */
export function bunRoutes(
  specs: readonly RouteSpec[],
  deps: RouteDeps,
): Record<string, Record<string, BunRouteHandler>> {
  const table: Record<string, Record<string, BunRouteHandler>> = {};
  for (const spec of specs) {
    if (spec.bunRoute !== true) continue;
    const run = routeRunner(spec, deps);
    table[spec.path] = {
      ...table[spec.path],
      [spec.method]: (request, server) => run(request, request.params, server),
    };
  }
  return table;
}
