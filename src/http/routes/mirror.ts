// PUT /mirror (BUD-04): a JSON body `{"url": …}`; the descriptor of the stored copy.
import { blobDescriptor } from "../../protocol/descriptor.ts";
import { BlossomError } from "../../protocol/errors.ts";
import type { MirrorService } from "../../services/mirror.ts";
import type { RouteSpec } from "../route.ts";

const MAX_BODY_BYTES = 16 * 1024;

async function readUrl(request: Request): Promise<string> {
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES)
    throw new BlossomError("too_large", "mirror request body too large");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BlossomError("bad_request", "body must be JSON with a url"); // B04-02
  }
  const url = (body as { url?: unknown } | null)?.url;
  if (typeof url !== "string")
    throw new BlossomError("bad_request", "body must be JSON with a url");
  return url;
}

export interface MirrorRouteDeps {
  readonly mirrors: MirrorService;
  readonly publicBaseUrl: () => string;
  readonly requireAuth: boolean;
  readonly onStored: (size: number, created: boolean) => void;
}

export function mirrorRoutes(deps: MirrorRouteDeps): RouteSpec[] {
  return [
    {
      method: "PUT",
      path: "/mirror",
      name: "mirror",
      holdsUploadSlot: true,
      auth: { verb: "upload", required: deps.requireAuth, x: "required" },
      handle: async ({ request, auth }) => {
        const url = await readUrl(request);
        const { record, created } = await deps.mirrors.mirror({
          url,
          uploader: auth.pubkey,
          checkHash: (sha256) => auth.checkHash(sha256, "hash_mismatch"), // B04-12: 409
          tokenNames: (sha256) => auth.token?.xs.includes(sha256) ?? false,
        });
        deps.onStored(record.size, created);
        return Response.json(blobDescriptor(record, deps.publicBaseUrl()), {
          status: created ? 201 : 200,
        }); // B04-03, B04-04
      },
    },
  ];
}
