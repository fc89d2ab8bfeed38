// PUT /media and HEAD /media (BUD-05): the descriptor of the optimised result, with BUD-08 tags.
import { parseContentLength, parsePreflight } from "../../protocol/admission.ts";
import { blobDescriptor, blobUrl } from "../../protocol/descriptor.ts";
import { contentTypeEssence } from "../../protocol/mime.ts";
import { parseSha256Header } from "../../protocol/sha256.ts";
import type { MediaService } from "../../services/media.ts";
import type { RouteAuthSpec } from "../auth.ts";
import type { RouteSpec } from "../route.ts";

export interface MediaRouteDeps {
  readonly media: MediaService;
  readonly publicBaseUrl: () => string;
  readonly requireAuth: boolean;
  readonly onStored: (size: number, created: boolean) => void;
}

export function mediaRoutes(deps: MediaRouteDeps): RouteSpec[] {
  const auth: RouteAuthSpec = { verb: "media", required: deps.requireAuth, x: "required" }; // B11-17
  return [
    {
      method: "PUT",
      path: "/media",
      name: "media",
      holdsUploadSlot: true,
      auth,
      handle: async ({ request, auth: requestAuth, keepAlive }) => {
        const declaredSha256 = parseSha256Header(request.headers.get("x-sha-256"));
        const declaredSize = parseContentLength(request.headers.get("content-length"));
        if (declaredSha256 !== undefined) requestAuth.checkHash(declaredSha256);
        const { record, created, derivative, thumbType } = await deps.media.process({
          body: request.body,
          declaredSha256,
          declaredSize,
          declaredType: contentTypeEssence(request.headers.get("content-type")),
          uploader: requestAuth.pubkey,
          checkHash: (sha256) => requestAuth.checkHash(sha256),
          onChunk: keepAlive,
        });
        deps.onStored(record.size, created);
        const base = deps.publicBaseUrl();
        const extra = [
          ["dim", derivative.dim],
          ["blurhash", derivative.blurhash],
          ["thumb", blobUrl(derivative.thumb, thumbType, base), derivative.thumb],
          ["ox", derivative.original],
        ];
        return Response.json(blobDescriptor(record, base, extra), { status: created ? 201 : 200 }); // B05-05, P-18
      },
    },
    {
      method: "HEAD",
      path: "/media",
      name: "media",
      auth,
      handle: ({ request, auth: requestAuth }) => {
        const { sha256, size, type } = parsePreflight({
          xSha256: request.headers.get("x-sha-256"),
          xContentLength: request.headers.get("x-content-length"),
          xContentType: request.headers.get("x-content-type"),
        });
        requestAuth.checkHash(sha256);
        deps.media.preflight({ pubkey: requestAuth.pubkey, size, type }); // B05-12, B05-14
        return new Response(null, { status: 200 });
      },
    },
  ];
}
