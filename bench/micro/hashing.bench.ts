// Streaming SHA-256 as the upload path does it: 64 KiB chunks fed to one incremental hasher.
// Native Bun.CryptoHasher against pure-JS @noble/hashes, to size the cost of hashing on the
// main thread. Run alone: `bun bench/micro/hashing.bench.ts`.
import { sha256 } from "@noble/hashes/sha2.js";
import { bench, do_not_optimize, group, run, summary } from "mitata";

const CHUNK_BYTES = 64 * 1024;
const MIB = 1024 * 1024;

/** Random chunks, built once outside the measured closures. */
function chunksOf(totalBytes: number): Uint8Array[] {
  const chunk = new Uint8Array(CHUNK_BYTES);
  crypto.getRandomValues(chunk); // at most 64 KiB per call, which is one chunk
  // Distinct chunks would cost 64 MiB of RAM and change nothing for a hash: reuse one.
  return Array.from({ length: totalBytes / CHUNK_BYTES }, () => chunk);
}

for (const sizeMib of [1, 64]) {
  const chunks = chunksOf(sizeMib * MIB);
  group(`sha256 of ${sizeMib} MiB in 64 KiB chunks`, () => {
    summary(() => {
      bench("Bun.CryptoHasher", () => {
        const hasher = new Bun.CryptoHasher("sha256");
        for (const chunk of chunks) hasher.update(chunk);
        do_not_optimize(hasher.digest("hex"));
      });
      bench("@noble/hashes sha256.create()", () => {
        const hasher = sha256.create();
        for (const chunk of chunks) hasher.update(chunk);
        do_not_optimize(hasher.digest());
      });
    });
  });
}

if (import.meta.main) await run({ colors: false });
