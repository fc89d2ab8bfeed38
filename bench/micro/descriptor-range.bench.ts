// Per-response pure work: the BUD-02 descriptor (every upload answer, every /list row) and the
// Range header (every GET with one). Run alone: `bun bench/micro/descriptor-range.bench.ts`.
import { bench, do_not_optimize, group, run } from "mitata";
import { blobDescriptor } from "../../src/protocol/descriptor.ts";
import { parseRange } from "../../src/protocol/range.ts";

const BASE_URL = "https://blossom.example.com";
const records = Array.from({ length: 1000 }, (_, index) => ({
  sha256: index.toString(16).padStart(64, "0"),
  size: 1024 + index,
  type: index % 2 === 0 ? "image/png" : "application/octet-stream",
  uploadedSec: 1_700_000_000 + index,
}));
const MIB = 1024 * 1024;

group("BUD-02 descriptor", () => {
  bench("blobDescriptor, one record", () =>
    do_not_optimize(blobDescriptor(records[7] as (typeof records)[number], BASE_URL)),
  );
  bench("a /list page of 1,000: descriptors + JSON.stringify", () =>
    do_not_optimize(JSON.stringify(records.map((record) => blobDescriptor(record, BASE_URL)))),
  );
});

group("RFC 9110 Range of a 1 MiB blob", () => {
  bench("no header (full)", () => do_not_optimize(parseRange(null, MIB)));
  bench("bytes=65536-131071", () => do_not_optimize(parseRange("bytes=65536-131071", MIB)));
  bench("suffix bytes=-500", () => do_not_optimize(parseRange("bytes=-500", MIB)));
  bench("unsatisfiable bytes=2000000-", () => do_not_optimize(parseRange("bytes=2000000-", MIB)));
});

if (import.meta.main) await run({ colors: false });
