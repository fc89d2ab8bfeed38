// GET, HEAD and DELETE /<sha256>[.ext] (BUD-01, BUD-12).

import type { BlobRecord } from "../../metadata/metadata-store.ts";
import { BlossomError } from "../../protocol/errors.ts";
import { isActiveType } from "../../protocol/mime.ts";
import { parseRange } from "../../protocol/range.ts";
import { blobHashOfSegment, parseBlobPath, rawPathOf } from "../../protocol/sha256.ts";
import type { BlobService, StoredBlob } from "../../services/blobs.ts";
import { LruMap } from "../../util/lru-map.ts";
import type { RouteAuthSpec } from "../auth.ts";
import { addCorsHeaders } from "../cors.ts";
import type { RouteInput, RouteSpec } from "../route.ts";

export interface BlobRouteDeps {
  readonly blobs: BlobService;
  readonly requireAuthForGet: boolean;
  readonly deleteEnabled: boolean;
}

const BLOB_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"; // reliability A9

/**
 * P-01 (reliability A2). A router's decoded parameter names a blob only through
 * `blobHashOfSegment`, which agrees with the raw path and spares `request.url`; anything else is
 * told apart (400 or 404) on the raw path.
 */
function blobHashOf(input: Pick<RouteInput, "request" | "params">): string {
  const named = blobHashOfSegment(input.params.blob);
  if (named !== undefined) return named;
  const parsed = parseBlobPath(rawPathOf(input.request.url));
  if (parsed.kind === "malformed") throw new BlossomError("bad_request", parsed.reason);
  if (parsed.kind === "other") throw new BlossomError("not_found", "not found");
  return parsed.sha256;
}

/**
 * Everything of a whole-blob answer but X-Request-Id; built once per record. A Response copies
 * the Headers it is given, so one template serves every response of its record as it is.
 */
function blobHeaderTemplate(record: BlobRecord): Headers {
  const headers = new Headers({
    "Content-Type": record.type, // B01-10: the stored type, whatever the extension
    "Accept-Ranges": "bytes", // B01-20
    ETag: `"${record.sha256}"`, // P-26
    "Cache-Control": "public, max-age=31536000, immutable",
    "Last-Modified": new Date(record.uploadedSec * 1000).toUTCString(),
    "X-Content-Type-Options": "nosniff", // P-22
    "Content-Security-Policy": BLOB_CSP,
    // Always ours: without one, Bun gives a file-backed body of some types (PDF, octet-stream)
    // a bare `filename="<sha256>"`, which browsers may take for a download.
    "Content-Disposition": isActiveType(record.type) ? "attachment" : "inline",
    // Bun's anyway; set here, it also tells the metrics what was sent. A range changes it.
    "Content-Length": String(record.size),
  });
  return addCorsHeaders(headers);
}

type HeadersFor = (record: BlobRecord) => Headers;

/** As many as the blob service keeps hot: each is a native object the collector visits. */
const HEADER_TEMPLATES = 3_000;

/**
 * A Response made from a template costs a third less than one made from a copy of it
 * (bench/micro/blob-headers.bench.ts). A template is reused while the blob service hands out the
 * same record object (the blob stays hot and its row unchanged); one bounded map per app.
 * Templates are shared: a response changes its own headers, never the template.
 */
function createHeaderTemplates(): HeadersFor {
  const templates = new LruMap<string, { record: BlobRecord; headers: Headers }>(HEADER_TEMPLATES);
  return (record) => {
    const held = templates.get(record.sha256);
    if (held?.record === record) return held.headers;
    const headers = blobHeaderTemplate(record);
    templates.set(record.sha256, { record, headers });
    return headers;
  };
}

/** The whole blob; a file whose size is not its row's is served as it is (services/blobs.ts). */
function wholeBlob(found: StoredBlob, template: Headers, payload: Blob | string | null): Response {
  const response = new Response(payload, { status: 200, headers: template });
  const { size } = found.body;
  if (size !== found.record.size) response.headers.set("Content-Length", String(size));
  return response;
}

/** 304 carries the validators but no length (RFC 9110 §15.4.5). */
function notModified(template: Headers): Response {
  const response = new Response(null, { status: 304, headers: template });
  response.headers.delete("Content-Length");
  return response;
}

function isNotModified(request: Request, sha256: string): boolean {
  const header = request.headers.get("if-none-match");
  if (header === null) return false;
  return header.split(",").some((tag) => {
    const value = tag.trim().replace(/^W\//, "");
    return value === "*" || value === `"${sha256}"`;
  });
}

async function findBlob(blobs: BlobService, input: RouteInput): Promise<StoredBlob> {
  const sha256 = blobHashOf(input);
  input.auth.checkHash(sha256); // B11-08: x tags, when present, must name this blob
  const found = await blobs.find(sha256);
  if (found === null) throw new BlossomError("not_found", "blob not found");
  return found;
}

function getBlob(found: StoredBlob, request: Request, headersFor: HeadersFor): Response {
  const { record, body } = found;
  const template = headersFor(record);
  if (isNotModified(request, record.sha256)) return notModified(template);
  const range = parseRange(request.headers.get("range"), body.size); // P-25
  if (range.kind === "unsatisfiable") {
    throw new BlossomError("range_not_satisfiable", "range not satisfiable", {
      blobSize: body.size,
    });
  }
  // An empty body is sent as such: Bun would apply its own Range handling to an empty file.
  if (range.kind === "full") return wholeBlob(found, template, body.size === 0 ? "" : body);
  const response = new Response(body.slice(range.start, range.end + 1), {
    status: 206,
    headers: template,
  });
  response.headers.set("Content-Range", `bytes ${range.start}-${range.end}/${body.size}`);
  response.headers.set("Content-Length", String(range.end + 1 - range.start));
  return response;
}

/** B01-15..17: the same status and headers as GET, no body; Range is ignored (P-25). */
function headBlob(found: StoredBlob, request: Request, headersFor: HeadersFor): Response {
  const template = headersFor(found.record);
  if (isNotModified(request, found.record.sha256)) return notModified(template);
  return wholeBlob(found, template, null);
}

/**
 * GET or HEAD of a blob whose row and bytes are in memory, answered without an await; anything
 * else (a miss, a malformed path, an unsatisfiable range) takes the route's `handle`. Only for
 * reads that ignore tokens (P-12), so it skips no auth.
 */
function answerHotRead(
  blobs: BlobService,
  headersFor: HeadersFor,
  respond: typeof getBlob,
): NonNullable<RouteSpec["answerAtOnce"]> {
  return (request, params) => {
    const sha256 = blobHashOfSegment(params.blob);
    const found = sha256 === undefined ? undefined : blobs.findHot(sha256);
    if (found === undefined) return undefined;
    try {
      return respond(found, request, headersFor);
    } catch {
      return undefined; // e.g. 416: reported by the usual path
    }
  };
}

export function blobRoutes(deps: BlobRouteDeps): RouteSpec[] {
  const getAuth: RouteAuthSpec = { verb: "get", required: deps.requireAuthForGet, x: "optional" };
  const headersFor = createHeaderTemplates();
  const atOnce = (respond: typeof getBlob) =>
    deps.requireAuthForGet ? undefined : answerHotRead(deps.blobs, headersFor, respond);
  const routes: RouteSpec[] = [
    {
      method: "GET",
      path: "/:blob",
      name: "blob",
      auth: getAuth,
      bunRoute: true,
      answerAtOnce: atOnce(getBlob),
      handle: async (input) =>
        getBlob(await findBlob(deps.blobs, input), input.request, headersFor),
    },
    {
      method: "HEAD",
      path: "/:blob",
      name: "blob",
      auth: getAuth,
      bunRoute: true,
      answerAtOnce: atOnce(headBlob),
      handle: async (input) =>
        headBlob(await findBlob(deps.blobs, input), input.request, headersFor),
    },
  ];
  if (deps.deleteEnabled) {
    routes.push({
      method: "DELETE",
      path: "/:blob",
      name: "blob",
      auth: { verb: "delete", required: true, x: "required" }, // P-15: always required
      handle: async (input) => {
        const sha256 = blobHashOf(input);
        input.auth.checkHash(sha256);
        const pubkey = input.auth.pubkey;
        if (pubkey === null) throw new BlossomError("auth_required", "authorization required");
        await deps.blobs.remove(sha256, pubkey);
        return new Response(null, { status: 204 });
      },
    });
  }
  return routes;
}
