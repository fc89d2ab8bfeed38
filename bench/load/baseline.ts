// The bare Bun.serve every hanami figure is divided by: the same work with nothing around it.
// GET/HEAD /<sha256> return Bun.file; PUT /upload hashes and writes the body (fsync like hanami);
// GET /list/<pubkey> serialises an in-memory page. Usage: bun bench/load/baseline.ts <dir> <rows>
import { open, rename } from "node:fs/promises";
import { join } from "node:path";

const [dir = ".", listRowsArg = "1000"] = process.argv.slice(2);
const listRows = Array.from({ length: Number(listRowsArg) }, (_, index) => {
  const sha256 = index.toString(16).padStart(64, "0");
  return { sha256, size: 1024, type: "application/octet-stream", uploaded: 1_700_000_000 + index };
});

async function storeBody(request: Request): Promise<Response> {
  const hasher = new Bun.CryptoHasher("sha256");
  const tmpPath = join(dir, `upload-${crypto.randomUUID()}`);
  const handle = await open(tmpPath, "wx");
  let size = 0;
  try {
    for await (const chunk of request.body ?? new ReadableStream<Uint8Array>()) {
      hasher.update(chunk);
      size += chunk.byteLength;
      let offset = 0;
      while (offset < chunk.byteLength) {
        offset += (await handle.write(chunk, offset, chunk.byteLength - offset)).bytesWritten;
      }
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  const sha256 = hasher.digest("hex");
  await rename(tmpPath, join(dir, sha256));
  return Response.json({ sha256, size });
}

function listPage(url: URL): Response {
  const base = `${url.protocol}//${url.host}`;
  return Response.json(
    listRows.map((row) => ({ url: `${base}/${row.sha256}`, ...row })),
    { headers: { "Access-Control-Allow-Origin": "*" } },
  );
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  development: false,
  maxRequestBodySize: 1024 ** 3,
  fetch(request) {
    const url = new URL(request.url);
    if (request.method === "PUT" && url.pathname === "/upload") return storeBody(request);
    if (url.pathname.startsWith("/list/")) return listPage(url);
    const sha256 = url.pathname.slice(1, 65);
    return new Response(Bun.file(join(dir, sha256)), {
      headers: { "Content-Type": "application/octet-stream" },
    });
  },
});
process.stdout.write(`${JSON.stringify({ event: "listening", port: server.port })}\n`);
