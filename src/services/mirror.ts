// PUT /mirror (BUD-04): fetch through the guarded client, then the upload pipeline. The token's
// x tags must name the downloaded hash (B04-12: 409 otherwise).
import { extname } from "node:path";
import { contentTypeEssence, typeForExtension } from "../protocol/mime.ts";
import { lastSha256In } from "../protocol/sha256.ts";
import type { Sha256 } from "../storage/blob-store.ts";
import type { MirrorFetcher } from "./mirror-fetch.ts";
import type { StoreResult, UploadService } from "./upload.ts";

export interface MirrorInput {
  readonly url: string;
  readonly uploader: string | null;
  /** Throws unless the token names this hash (the caller maps it to 409). */
  readonly checkHash: (sha256: Sha256) => void;
  /** Whether the token's x tags name this hash, for the no-download fast path (P-17). */
  readonly tokenNames: (sha256: Sha256) => boolean;
}

export interface MirrorService {
  mirror(input: MirrorInput): Promise<StoreResult>;
}

/** B04-05, B04-06: the origin's Content-Type, else the URL's extension, else sniffed later. */
function declaredType(contentType: string | null, url: URL): string | null {
  const essence = contentTypeEssence(contentType);
  if (essence !== null && essence !== "application/octet-stream") return essence;
  return typeForExtension(extname(url.pathname).slice(1)) ?? essence;
}

export function createMirrorService(deps: {
  fetchBlob: MirrorFetcher;
  uploads: UploadService;
}): MirrorService {
  return {
    async mirror(input) {
      const named = lastSha256In(input.url); // B03-05
      if (named !== null && input.tokenNames(named)) {
        input.checkHash(named);
        const adopted = await deps.uploads.adopt(named, input.uploader);
        if (adopted !== null) return adopted; // already here: no download at all
      }
      const origin = await deps.fetchBlob(input.url);
      return deps.uploads.store({
        body: origin.body,
        declaredSha256: undefined,
        declaredSize: origin.contentLength,
        declaredType: declaredType(origin.contentType, origin.finalUrl),
        uploader: input.uploader,
        checkHash: input.checkHash,
      });
    },
  };
}
