// BlurHash encoder (the public algorithm, woltapp/blurhash): a DCT of a small RGB image,
// quantised and written in base 83. Used for BUD-08 `blurhash` tags.

const BASE83 =
  "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

function base83(value: number, length: number): string {
  let out = "";
  for (let i = 1; i <= length; i++) out += BASE83[Math.floor(value / 83 ** (length - i)) % 83];
  return out;
}

function toLinear(channel: number): number {
  const v = channel / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

function toSrgb(value: number): number {
  const v = Math.max(0, Math.min(1, value));
  return v <= 0.0031308
    ? Math.trunc(v * 12.92 * 255 + 0.5)
    : Math.trunc((1.055 * v ** (1 / 2.4) - 0.055) * 255 + 0.5);
}

const signPow = (value: number, exp: number) => Math.sign(value) * Math.abs(value) ** exp;

/** One DCT component: the image's linear colour weighted by cos basis (i, j). */
function basisFactor(
  linear: Float64Array,
  width: number,
  height: number,
  i: number,
  j: number,
): [number, number, number] {
  const scale = (i === 0 && j === 0 ? 1 : 2) / (width * height);
  let [r, g, b] = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    const basisY = Math.cos((Math.PI * j * y) / height);
    for (let x = 0; x < width; x++) {
      const basis = Math.cos((Math.PI * i * x) / width) * basisY;
      const at = (y * width + x) * 3;
      r += basis * (linear[at] ?? 0);
      g += basis * (linear[at + 1] ?? 0);
      b += basis * (linear[at + 2] ?? 0);
    }
  }
  return [r * scale, g * scale, b * scale];
}

/** `pixels`: width × height × `channels` bytes (3 = RGB, 4 = RGBA, alpha ignored). */
export function encodeBlurhash(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 3 | 4,
  componentsX = 4,
  componentsY = 3,
): string {
  const linear = new Float64Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) linear[p * 3 + c] = toLinear(pixels[p * channels + c] ?? 0);
  }
  const factors: Array<[number, number, number]> = [];
  for (let j = 0; j < componentsY; j++) {
    for (let i = 0; i < componentsX; i++) factors.push(basisFactor(linear, width, height, i, j));
  }
  const [dc, ...ac] = factors as [[number, number, number], ...Array<[number, number, number]>];
  let hash = base83(componentsX - 1 + (componentsY - 1) * 9, 1);
  let maxValue = 1;
  if (ac.length > 0) {
    // The reference takes the largest value, not the largest magnitude; hashes must match it.
    const actualMax = Math.max(...ac.flat());
    const quantisedMax = Math.floor(Math.max(0, Math.min(82, Math.floor(actualMax * 166 - 0.5))));
    maxValue = (quantisedMax + 1) / 166;
    hash += base83(quantisedMax, 1);
  } else {
    hash += base83(0, 1);
  }
  hash += base83((toSrgb(dc[0]) << 16) + (toSrgb(dc[1]) << 8) + toSrgb(dc[2]), 4);
  const quantise = (v: number) =>
    Math.floor(Math.max(0, Math.min(18, Math.floor(signPow(v / maxValue, 0.5) * 9 + 9.5))));
  for (const [r, g, b] of ac)
    hash += base83(quantise(r) * 19 * 19 + quantise(g) * 19 + quantise(b), 2);
  return hash;
}
