// Puts the fixture blobs into both servers before any timing: through PUT /upload for hanami
// (tokens carry many x tags, so seeding costs few signatures), as plain files for the baseline.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomBlob, signToken, type TestKey } from "../../test/support/nostr.ts";

const X_TAGS_PER_TOKEN = 50;
const PARALLEL_UPLOADS = 16;

export interface Fixture {
  readonly sha256: string;
  readonly size: number;
}

async function upload(url: string, bytes: Uint8Array<ArrayBuffer>, authorization: string) {
  const response = await fetch(`${url}/upload`, {
    method: "PUT",
    body: bytes,
    headers: { Authorization: authorization },
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`seed upload: ${response.status} ${text}`);
}

/** `count` random blobs of `size` bytes owned by `key`, in the index and on disk. */
export async function seedBlobs(
  hanamiUrl: string,
  baselineDir: string | null,
  key: TestKey,
  count: number,
  size: number,
): Promise<Fixture[]> {
  const fixtures: Fixture[] = [];
  for (let start = 0; start < count; start += X_TAGS_PER_TOKEN) {
    const batch = Array.from({ length: Math.min(X_TAGS_PER_TOKEN, count - start) }, () =>
      randomBlob(size),
    );
    const token = signToken(key, { verb: "upload", x: batch.map((blob) => blob.sha256) });
    for (let at = 0; at < batch.length; at += PARALLEL_UPLOADS) {
      await Promise.all(
        batch.slice(at, at + PARALLEL_UPLOADS).map(async (blob) => {
          await upload(hanamiUrl, blob.bytes, token);
          if (baselineDir !== null) await writeFile(join(baselineDir, blob.sha256), blob.bytes);
        }),
      );
    }
    fixtures.push(...batch.map((blob) => ({ sha256: blob.sha256, size })));
  }
  return fixtures;
}
