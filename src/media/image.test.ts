import { expect, test } from "bun:test";
import { tmpdir } from "node:os";
import sharp from "sharp";
import { optimizeImage } from "./image.ts";

const options = {
  maxPixels: 4_000_000,
  maxDimension: 64,
  thumbnailDimension: 16,
  format: "webp",
  quality: 80,
  cacheDir: tmpdir(),
} as const;

async function png(width: number, height: number): Promise<Uint8Array> {
  const image = sharp({ create: { width, height, channels: 3, background: "#c05078" } });
  return new Uint8Array(await image.png().toBuffer());
}

test("an image is resized, re-encoded and given a thumbnail and a blurhash", async () => {
  const result = await optimizeImage(await png(200, 100), options);
  expect([result.type, result.width, result.height]).toEqual(["image/webp", 64, 32]);
  expect([result.thumbnail.width, result.thumbnail.height]).toEqual([16, 8]);
  expect(result.blurhash.length).toBeGreaterThan(6);
});

test("libvips keeps no operation cache: every job is a new image, a cache only holds memory", async () => {
  await optimizeImage(await png(120, 90), options);
  const { memory, files, items } = sharp.cache();
  expect([memory.max, files.max, items.max]).toEqual([0, 0, 0]);
  expect(items.current).toBe(0);
});
