// GET /list/<pubkey> (BUD-12, P-16).
import { blobDescriptor } from "../../protocol/descriptor.ts";
import { BlossomError } from "../../protocol/errors.ts";
import { parseListRequest } from "../../protocol/list-query.ts";
import type { BlobService } from "../../services/blobs.ts";
import type { RouteSpec } from "../route.ts";

export interface ListRouteDeps {
  readonly blobs: BlobService;
  readonly publicBaseUrl: () => string;
  readonly requireAuth: boolean;
  /** Only the token's own pubkey may be listed (403 otherwise). */
  readonly ownOnly: boolean;
}

export function listRoutes(deps: ListRouteDeps): RouteSpec[] {
  const required = deps.requireAuth || deps.ownOnly;
  return [
    {
      method: "GET",
      path: "/list/:pubkey",
      name: "list",
      auth: { verb: "list", required, x: "optional" },
      handle: async ({ url, auth }) => {
        const pubkeyParam = url.pathname.slice("/list/".length);
        const { pubkey, query } = parseListRequest(pubkeyParam, url.searchParams);
        if (deps.ownOnly && auth.pubkey !== pubkey) {
          throw new BlossomError("forbidden", "this server lists only your own blobs");
        }
        const page = await deps.blobs.list(pubkey, query);
        const base = deps.publicBaseUrl();
        return Response.json(page.map((record) => blobDescriptor(record, base)));
      },
    },
  ];
}
