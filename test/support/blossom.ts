// Small request helpers shared by the end-to-end suites: real signed tokens, real HTTP.
import { randomBlob, signToken, type TestKey, testKeys } from "./nostr.ts";

type Key = TestKey;

export interface ServerHandle {
  readonly url: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export async function uploadBlob(
  server: ServerHandle,
  key: Key,
  bytes: Uint8Array,
  options: { type?: string; sha256?: string; withHashHeader?: boolean } = {},
): Promise<Response> {
  const sha256 = options.sha256 ?? new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
  const headers: Record<string, string> = {
    authorization: signToken(key, { verb: "upload", x: [sha256] }),
    "content-type": options.type ?? "application/octet-stream",
  };
  if (options.withHashHeader !== false) headers["x-sha-256"] = sha256;
  return server.fetch("/upload", { method: "PUT", body: bytes, headers });
}

export async function uploadRandom(server: ServerHandle, key: Key, size = 1024) {
  const blob = randomBlob(size);
  const response = await uploadBlob(server, key, blob.bytes);
  return { blob, response };
}

export function deleteBlob(server: ServerHandle, key: Key, sha256: string): Promise<Response> {
  return server.fetch(`/${sha256}`, {
    method: "DELETE",
    headers: { authorization: signToken(key, { verb: "delete", x: [sha256] }) },
  });
}

/** PUT /media with a fresh `media` token naming the original (P-18). `type` null: no header. */
export function putMedia(
  server: ServerHandle,
  bytes: Uint8Array,
  type: string | null,
  options: { key?: Key; x?: string; sha256Header?: string } = {},
): Promise<Response> {
  const sha256 = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
  const headers: Record<string, string> = {
    authorization: signToken(options.key ?? testKeys.alice, {
      verb: "media",
      x: [options.x ?? sha256],
    }),
  };
  if (type !== null) headers["content-type"] = type;
  if (options.sha256Header !== undefined) headers["x-sha-256"] = options.sha256Header;
  return server.fetch("/media", { method: "PUT", body: bytes, headers });
}

/** A descriptor as the media suites read it (BUD-02 fields and BUD-08 tags). */
export interface MediaDescriptor {
  url: string;
  sha256: string;
  size: number;
  type: string;
  uploaded: number;
  nip94: string[][];
}

/** The first nip94 tag of that name, whole. */
export const tag = (descriptor: MediaDescriptor, name: string) =>
  descriptor.nip94.find((entry) => entry[0] === name);
