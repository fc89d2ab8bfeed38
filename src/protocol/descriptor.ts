// BUD-02 blob descriptors with BUD-08 nip94 tags (B02-02, B02-04, B08-02, P-23, P-24).
import type { BlobRecord } from "../metadata/metadata-store.ts";
import { extensionFor } from "./mime.ts";

export interface BlobDescriptor {
  readonly url: string;
  readonly sha256: string;
  readonly size: number;
  readonly type: string;
  readonly uploaded: number;
  readonly nip94: string[][];
}

/** The regex only when there is a slash to drop: this runs once per descriptor of a /list page. */
const withoutTrailingSlashes = (publicBaseUrl: string) =>
  publicBaseUrl.endsWith("/") ? publicBaseUrl.replace(/\/+$/, "") : publicBaseUrl;

/** `<base>/<sha256>.<ext>`: always with an extension, `bin` when the type is unknown. */
export function blobUrl(sha256: string, type: string, publicBaseUrl: string): string {
  return `${withoutTrailingSlashes(publicBaseUrl)}/${sha256}.${extensionFor(type)}`;
}

export function blobDescriptor(
  record: BlobRecord,
  publicBaseUrl: string,
  extraNip94: readonly string[][] = [],
): BlobDescriptor {
  const url = blobUrl(record.sha256, record.type, publicBaseUrl);
  return {
    url,
    sha256: record.sha256,
    size: record.size,
    type: record.type,
    uploaded: record.uploadedSec,
    nip94: [
      ["url", url],
      ["m", record.type],
      ["x", record.sha256],
      ["size", String(record.size)],
      ...extraNip94.map((tag) => [...tag]),
    ],
  };
}
