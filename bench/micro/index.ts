// Runs every bench/micro/*.bench.ts in one mitata session. Each bench file only registers its
// groups when imported, and calls `run` itself only when started directly (`import.meta.main`).
// `bun bench/micro/index.ts hashing metrics` runs only the files whose names contain a word.
import { Glob } from "bun";
import { run } from "mitata";

const only = process.argv.slice(2);
const files = [...new Glob("*.bench.ts").scanSync({ cwd: import.meta.dir })]
  .filter((file) => only.length === 0 || only.some((word) => file.includes(word)))
  .sort();
if (files.length === 0) throw new Error(`no bench file matches ${only.join(", ")}`);

for (const file of files) await import(`./${file}`);
console.log(
  `bun ${Bun.version} (${Bun.revision.slice(0, 9)}), ${process.platform}/${process.arch}`,
);
await run({ colors: false });
