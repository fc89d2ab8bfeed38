// A real Blossom client library (blossom-client-sdk) against the compiled binary:
// upload → get → list → delete → 404 (issue: client-flow test).
import { expect, test } from "bun:test";
import {
  Actions,
  createDeleteAuth,
  createUploadAuth,
  type EventTemplate,
  type SignedEvent,
} from "blossom-client-sdk";
import { finalizeEvent, generateSecretKey, getPublicKey } from "nostr-tools";
import { startBinary } from "../support/binary.ts";

const secretKey = generateSecretKey();
const pubkey = getPublicKey(secretKey);
const signer = async (draft: EventTemplate): Promise<SignedEvent> =>
  finalizeEvent(draft, secretKey);

test("B02-12, B01-07, B12-03, B12-11: a real client uploads, fetches, lists and deletes", async () => {
  await using server = await startBinary();
  const bytes = new TextEncoder().encode(`hello from a real client ${crypto.randomUUID()}`);
  const blob = new Blob([bytes], { type: "text/plain" });

  const descriptor = await Actions.uploadBlob(server.url, blob, {
    onAuth: (_server, sha256) => createUploadAuth(signer, sha256),
  });
  const expectedSha256 = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
  expect(descriptor).toMatchObject({
    sha256: expectedSha256,
    size: bytes.byteLength,
    type: "text/plain",
    url: `${server.url}/${expectedSha256}.txt`,
  });

  const fetched = await fetch(descriptor.url);
  expect(fetched.status).toBe(200);
  expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(bytes);

  const listed = await Actions.listBlobs(server.url, pubkey);
  expect(listed.map((entry) => entry.sha256)).toEqual([expectedSha256]);

  const deleted = await Actions.deleteBlob(server.url, expectedSha256, {
    onAuth: (_server, sha256) => createDeleteAuth(signer, sha256),
  });
  expect(deleted).toBe(true);
  expect((await fetch(descriptor.url)).status).toBe(404);
  expect(await Actions.listBlobs(server.url, pubkey)).toEqual([]);
});
