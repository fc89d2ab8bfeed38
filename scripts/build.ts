// Builds the single executable dist/hanami (bun-stack §4): main and worker entry points,
// migrations embedded as text imports, production mode, no autoloaded .env or bunfig.
import pkg from "../package.json" with { type: "json" };

const ENTRYPOINTS = ["src/main.ts", "src/workers/cpu.worker.ts"];
const OUTFILE = "dist/hanami";

const started = performance.now();
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
    "--define",
    `HANAMI_VERSION=${JSON.stringify(pkg.version)}`,
    ...ENTRYPOINTS,
    "--outfile",
    OUTFILE,
  ],
  { stdout: "inherit", stderr: "inherit" },
);
if (build.exitCode !== 0) {
  console.error(`build failed with exit code ${build.exitCode}`);
  process.exit(1);
}
const bytes = Bun.file(OUTFILE).size;
console.log(
  `built ${OUTFILE} (${(bytes / 1024 ** 2).toFixed(1)} MiB) in ${Math.round(performance.now() - started)} ms`,
);
