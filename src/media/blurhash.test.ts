import { expect, test } from "bun:test";
import { encode } from "blurhash";
import { encodeBlurhash } from "./blurhash.ts";

function image(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number],
) {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgba.set([...pixel(x, y), 255], (y * width + x) * 4);
  }
  return rgba;
}

// The reference encoder (woltapp's npm package) is the independent oracle.
const cases: Array<[string, number, number, (x: number, y: number) => [number, number, number]]> = [
  ["flat white", 8, 6, () => [255, 255, 255]],
  ["horizontal gradient", 32, 20, (x) => [x * 8, 100, 255 - x * 8]],
  ["checkerboard", 16, 16, (x, y) => ((x + y) % 2 === 0 ? [250, 10, 10] : [10, 10, 250])],
  ["diagonal", 20, 30, (x, y) => [(x * 12) % 256, (y * 8) % 256, ((x + y) * 5) % 256]],
];

for (const [name, width, height, pixel] of cases) {
  test(`BUD-08: ${name} hashes like the reference encoder`, () => {
    const rgba = image(width, height, pixel);
    expect(encodeBlurhash(new Uint8Array(rgba.buffer), width, height, 4)).toBe(
      encode(rgba, width, height, 4, 3),
    );
  });
}

test("BUD-08: RGB input equals RGBA input with the alpha dropped", () => {
  const rgba = image(10, 10, (x, y) => [x * 20, y * 20, 90]);
  const rgb = new Uint8Array(10 * 10 * 3);
  for (let p = 0; p < 100; p++) rgb.set(rgba.subarray(p * 4, p * 4 + 3), p * 3);
  expect(encodeBlurhash(rgb, 10, 10, 3)).toBe(
    encodeBlurhash(new Uint8Array(rgba.buffer), 10, 10, 4),
  );
});
