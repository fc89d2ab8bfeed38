// Builds the single executable dist/hanami (bun-stack §4): main and worker entry points,
// migrations embedded as text imports, sharp's runtime embedded as assets (extracted on first
// use by src/media/sharp-loader.ts), production mode, no autoloaded .env or bunfig.
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import pkg from "../package.json" with { type: "json" };

const ENTRYPOINTS = ["src/main.ts", "src/workers/cpu.worker.ts"];
/** `--outfile <path>` builds elsewhere, e.g. to test two branches of work side by side. */
const outfileAt = process.argv.indexOf("--outfile");
const OUTFILE = outfileAt > 0 ? (process.argv[outfileAt + 1] ?? "dist/hanami") : "dist/hanami";
const LOCK_DIR = "build/.lock";
const STALE_LOCK_MS = 5 * 60_000;
const SHARP_STAGE = "build/sharp/node_modules";

/** sharp, its runtime dependencies and this platform's addon and libvips (not the other 20). */
function sharpPackages(): string[] {
  const sharp = JSON.parse(readFileSync("node_modules/sharp/package.json", "utf8")) as {
    dependencies: Record<string, string>;
  };
  const platform = `${process.platform}-${process.arch}`;
  return [
    "sharp",
    ...Object.keys(sharp.dependencies),
    `@img/sharp-${platform}`,
    `@img/sharp-libvips-${platform}`,
  ];
}

const NOT_NEEDED_AT_RUN_TIME = /(^|\/)(src|install|docs?)(\/|$)|\.(d\.ts|md|map|cc|h|gyp)$/;

function stageSharp(): void {
  rmSync("build/sharp", { recursive: true, force: true });
  for (const name of sharpPackages()) {
    const from = join("node_modules", name);
    if (!existsSync(from)) throw new Error(`${from} is missing: run bun install`);
    cpSync(from, join(SHARP_STAGE, name), {
      recursive: true,
      dereference: true,
      filter: (source) => !NOT_NEEDED_AT_RUN_TIME.test(source.slice(from.length)),
    });
  }
}

/** One build at a time: they share the sharp staging directory. */
async function acquireBuildLock(): Promise<() => void> {
  mkdirSync("build", { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      return () => rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch {
      const ageMs = Date.now() - (statSync(LOCK_DIR, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (ageMs > STALE_LOCK_MS) rmSync(LOCK_DIR, { recursive: true, force: true });
      else await Bun.sleep(200);
    }
  }
}

const started = performance.now();
const releaseLock = await acquireBuildLock();
stageSharp();
// Compiled beside the target and renamed over it: a binary that is running keeps its old file.
const partial = `${OUTFILE}.partial-${process.pid}`;
const build = Bun.spawnSync(
  [
    process.execPath,
    "build",
    "--compile",
    "--production",
    "--sourcemap",
    "--format",
    "esm",
    "--bytecode",
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    // lets the extracted sharp resolve its own dependencies through their package.json files
    "--compile-autoload-package-json",
    "--external",
    "sharp",
    "--asset",
    SHARP_STAGE,
    "--define",
    `HANAMI_VERSION=${JSON.stringify(pkg.version)}`,
    ...ENTRYPOINTS,
    "--outfile",
    partial,
  ],
  { stdout: "inherit", stderr: "inherit" },
);
releaseLock();
if (build.exitCode !== 0) {
  rmSync(partial, { force: true });
  console.error(`build failed with exit code ${build.exitCode}`);
  process.exit(1);
}
renameSync(partial, OUTFILE);
if (existsSync(`${partial}.map`)) renameSync(`${partial}.map`, `${OUTFILE}.map`);
const mib = (Bun.file(OUTFILE).size / 1024 ** 2).toFixed(1);
console.log(`built ${OUTFILE} (${mib} MiB) in ${Math.round(performance.now() - started)} ms`);
