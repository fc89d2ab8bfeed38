// PUT /upload (BUD-02) and HEAD /upload (BUD-06), in the order of P-14 and P-19.
import { parseContentLength, parsePreflight } from "../../protocol/admission.ts";
import { blobDescriptor } from "../../protocol/descriptor.ts";
import { contentTypeEssence } from "../../protocol/mime.ts";
import { parseSha256Header } from "../../protocol/sha256.ts";
import type { UploadService } from "../../services/upload.ts";
import type { RouteAuthSpec } from "../auth.ts";
import type { RouteSpec } from "../route.ts";

export interface UploadRouteDeps {
  readonly uploads: UploadService;
  readonly publicBaseUrl: () => string;
  readonly requireAuth: boolean;
  /** Told of every stored upload, for metrics. */
  readonly onStored: (size: number, created: boolean) => void;
}

export function uploadRoutes(deps: UploadRouteDeps): RouteSpec[] {
  const auth: RouteAuthSpec = { verb: "upload", required: deps.requireAuth, x: "required" };
  return [
    {
      method: "PUT",
      path: "/upload",
      name: "upload",
      holdsUploadSlot: true,
      bunRoute: true,
      auth,
      handle: async ({ request, auth: requestAuth, keepAlive }) => {
        const declaredSha256 = parseSha256Header(request.headers.get("x-sha-256")); // P-14 (3)
        const declaredSize = parseContentLength(request.headers.get("content-length"));
        if (declaredSha256 !== undefined) requestAuth.checkHash(declaredSha256); // P-14 (4)
        const { record, created } = await deps.uploads.store({
          body: request.body,
          declaredSha256,
          declaredSize,
          declaredType: contentTypeEssence(request.headers.get("content-type")),
          uploader: requestAuth.pubkey,
          checkHash: (sha256) => requestAuth.checkHash(sha256), // P-13
          onChunk: keepAlive,
        });
        deps.onStored(record.size, created);
        const descriptor = blobDescriptor(record, deps.publicBaseUrl());
        return Response.json(descriptor, { status: created ? 201 : 200 }); // B02-12, B02-13
      },
    },
    {
      method: "HEAD",
      path: "/upload",
      name: "upload",
      bunRoute: true,
      auth,
      handle: async ({ request, auth: requestAuth }) => {
        const { sha256, size, type } = parsePreflight({
          xSha256: request.headers.get("x-sha-256"),
          xContentLength: request.headers.get("x-content-length"),
          xContentType: request.headers.get("x-content-type"),
        });
        requestAuth.checkHash(sha256);
        await deps.uploads.preflight({ pubkey: requestAuth.pubkey, sha256, size, type });
        return new Response(null, { status: 200 }); // P-19: 200, never 204
      },
    },
  ];
}
