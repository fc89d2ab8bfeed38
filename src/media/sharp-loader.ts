// Loads sharp lazily, so the server starts and serves blobs even where sharp cannot load
// (STYLE §3.9). `bun build --compile` cannot embed a native addon and its libvips, so the build
// embeds sharp's runtime packages as assets and the binary extracts them once into a cache
// directory on first use (bun-stack §4, option A), then requires sharp from there.
import { chmod, mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { threadId } from "node:worker_threads";
import type sharpModule from "sharp";

export type Sharp = typeof sharpModule;

/** Bumped with sharp's version, so an upgraded binary never loads an older extraction. */
export const SHARP_BUNDLE = "sharp-0.35.5";
const EMBEDDED_PREFIX = "node_modules/";

function isCompiledBinary(): boolean {
  return import.meta.url.startsWith("file:///$bunfs/") || Bun.main.startsWith("/$bunfs/");
}

/** Writes every embedded file of sharp's tree; rename makes the result appear whole (race-safe). */
async function extractBundle(cacheDir: string): Promise<string> {
  const target = join(cacheDir, SHARP_BUNDLE);
  if ((await stat(join(target, ".complete")).catch(() => null)) !== null) return target;
  const staging = join(cacheDir, `${SHARP_BUNDLE}.${process.pid}-${threadId}.tmp`);
  await rm(staging, { recursive: true, force: true });
  for (const file of Bun.embeddedFiles as Array<Blob & { name: string }>) {
    if (!file.name.startsWith(EMBEDDED_PREFIX)) continue;
    const path = join(staging, file.name);
    await mkdir(join(path, ".."), { recursive: true });
    await writeFile(path, new Uint8Array(await file.arrayBuffer()));
    if (/\.(node|so(\.\d+)*)$/.test(file.name)) await chmod(path, 0o755);
  }
  await writeFile(join(staging, ".complete"), "");
  try {
    await rename(staging, target);
  } catch {
    await rm(staging, { recursive: true, force: true }); // another thread won the race
  }
  return target;
}

/**
 * sharp, from node_modules in development or from the extracted bundle in the binary.
 * `cacheDir` must not be on a noexec mount (dlopen fails there): the data dir is a good home.
 */
export async function loadSharp(options: { cacheDir: string }): Promise<Sharp> {
  if (!isCompiledBinary()) return (await import("sharp")).default;
  const root = await extractBundle(resolve(options.cacheDir));
  const requireFromBundle = createRequire(join(root, EMBEDDED_PREFIX, "sharp", "package.json"));
  return requireFromBundle("sharp") as Sharp;
}
