// The type of an upload declared as octet-stream or not at all (P-22): every magic number, then
// markup, is tried on its first 512 bytes. Run alone: `bun bench/micro/mime.bench.ts`.
import { bench, do_not_optimize, group, run } from "mitata";
import { storedType } from "../../src/protocol/mime.ts";

const random = crypto.getRandomValues(new Uint8Array(512));
random[0] = 0x41; // no magic number starts with "A": every check runs
const svg = new TextEncoder().encode(
  '  <?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
);

group("storedType(null, first 512 bytes)", () => {
  bench("random bytes (nothing matches)", () => do_not_optimize(storedType(null, random)));
  bench("an SVG after white space", () => do_not_optimize(storedType(null, svg)));
});

if (import.meta.main) await run({ colors: false });
