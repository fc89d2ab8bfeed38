// Loads sharp lazily, so the server starts and serves blobs even where sharp cannot load
// (STYLE §3.9). The compiled binary's extraction path is added by scripts/build.ts's owner.
import type sharpModule from "sharp";

export type Sharp = typeof sharpModule;

export async function loadSharp(): Promise<Sharp> {
  const loaded = await import("sharp");
  return loaded.default;
}
