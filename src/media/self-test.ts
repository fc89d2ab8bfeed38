// `hanami doctor`: proves that the media stack works on this machine, with real work.
import { loadSharp } from "./sharp-loader.ts";

export interface MediaSelfTest {
  readonly sharp: { ok: true; versions: Record<string, string> } | { ok: false; error: string };
  readonly ffmpeg: ToolCheck;
  /** /media video needs both: ffprobe checks the limits before ffmpeg decodes anything. */
  readonly ffprobe: ToolCheck;
}

type ToolCheck = { ok: true; version: string } | { ok: false; error: string };

async function checkSharp(cacheDir: string): Promise<MediaSelfTest["sharp"]> {
  try {
    const sharp = await loadSharp({ cacheDir });
    const png = await sharp({
      create: { width: 64, height: 48, channels: 3, background: "#c0ffee" },
    })
      .png()
      .toBuffer();
    const webp = await sharp(png).resize(32).webp().toBuffer({ resolveWithObject: true });
    if (webp.info.width !== 32 || webp.info.format !== "webp")
      throw new Error("unexpected sharp output");
    return { ok: true, versions: sharp.versions as unknown as Record<string, string> };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

async function checkTool(path: string): Promise<ToolCheck> {
  try {
    const proc = Bun.spawn([path, "-hide_banner", "-version"], {
      stdout: "pipe",
      stderr: "ignore",
    });
    const text = await new Response(proc.stdout).text();
    if ((await proc.exited) !== 0) throw new Error(`${path} exited with ${proc.exitCode}`);
    return { ok: true, version: text.split("\n")[0] ?? "" };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

export async function mediaSelfTest(options: {
  cacheDir: string;
  ffmpegPath: string;
  ffprobePath: string;
}): Promise<MediaSelfTest> {
  const [sharp, ffmpeg, ffprobe] = await Promise.all([
    checkSharp(options.cacheDir),
    checkTool(options.ffmpegPath),
    checkTool(options.ffprobePath),
  ]);
  return { sharp, ffmpeg, ffprobe };
}
