// The headers of a blob response, built per request: a fresh Headers from an object, a plain
// object in the Response init, an array init, a copy of a prebuilt template Headers, and the
// template itself in the init (what src/http/routes/blobs.ts does).
// Run alone: `bun bench/micro/blob-headers.bench.ts`.
import { bench, do_not_optimize, group, run, summary } from "mitata";

const body = new Blob([new Uint8Array(1024)]);
const base: [string, string][] = [
  ["Content-Type", "application/octet-stream"],
  ["Accept-Ranges", "bytes"],
  ["ETag", `"${"ab".repeat(32)}"`],
  ["Cache-Control", "public, max-age=31536000, immutable"],
  ["Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"],
  ["X-Content-Type-Options", "nosniff"],
  ["Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox"],
  ["Access-Control-Allow-Origin", "*"],
  ["Access-Control-Expose-Headers", "X-Reason, Content-Length, Content-Range, ETag, X-Request-Id"],
];
const asObject = Object.fromEntries(base);
const template = new Headers(base);

group("blob response with 10 headers", () => {
  summary(() => {
    bench("new Headers(object), then set X-Request-Id", () => {
      const headers = new Headers(asObject);
      headers.set("X-Request-Id", "x-1");
      do_not_optimize(new Response(body, { headers }));
    });
    bench("object in the init, X-Request-Id included", () =>
      do_not_optimize(new Response(body, { headers: { ...asObject, "X-Request-Id": "x-1" } })),
    );
    bench("array in the init, X-Request-Id pushed", () => {
      const headers = base.slice();
      headers.push(["X-Request-Id", "x-1"]);
      do_not_optimize(new Response(body, { headers }));
    });
    bench("copy of a template Headers, then set X-Request-Id", () => {
      const headers = new Headers(template);
      headers.set("X-Request-Id", "x-1");
      do_not_optimize(new Response(body, { headers }));
    });
    bench("template in the init (the Response copies it), then set X-Request-Id", () => {
      const response = new Response(body, { headers: template });
      response.headers.set("X-Request-Id", "x-1");
      do_not_optimize(response);
    });
  });
});

if (import.meta.main) await run({ colors: false });
