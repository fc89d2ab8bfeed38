// A minimal HTTP/1.1 keep-alive load client on Bun.connect, for HEAD: wrk 4.1 waits for a body
// after a HEAD response, and Bun's fetch costs the client core more than the server spends
// (docs/PERFORMANCE.md). It also sends one fixed body with each request, for refused uploads,
// and random paths from a file, for reads that miss the caches. One request in flight per
// connection; a response ends after its headers for HEAD, 204 and 304, else after
// Content-Length bytes (no chunked bodies: blobs never are).
import type { Socket } from "bun";
import { type LoadResult, summarise } from "./stats.ts";

export interface RawJob {
  readonly url: string;
  readonly method: "GET" | "HEAD" | "PUT";
  readonly headers: Record<string, string>;
  /** Sent with every request, with its Content-Length. */
  readonly bodyBytes?: number;
  /** A file of paths, one a line: each request asks for a random one instead of the URL's. */
  readonly pathsFile?: string;
  readonly connections: number;
  readonly durationMs: number;
  /** The status every response must have to count as a success. */
  readonly okStatus: number;
}

const HEADER_END = Buffer.from("\r\n\r\n");

interface Parsed {
  readonly status: number;
  /** Bytes of this response in the buffer, or -1 when it is not complete yet. */
  readonly length: number;
}

function parseResponse(buffer: Buffer, method: string): Parsed | null {
  const headerEnd = buffer.indexOf(HEADER_END);
  if (headerEnd === -1) return null;
  const head = buffer.toString("latin1", 0, headerEnd);
  const status = Number(head.slice(9, 12));
  const noBody = method === "HEAD" || status === 204 || status === 304 || status < 200;
  const declared = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  const bodyBytes = noBody ? 0 : Number(declared?.[1] ?? 0);
  const length = headerEnd + HEADER_END.length + bodyBytes;
  return { status, length: buffer.length >= length ? length : -1 };
}

export async function runRaw(job: RawJob): Promise<LoadResult> {
  const url = new URL(job.url);
  const bodyBytes = job.bodyBytes ?? 0;
  const headers =
    bodyBytes > 0 ? { ...job.headers, "Content-Length": String(bodyBytes) } : job.headers;
  const headerLines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  const requestFor = (path: string) =>
    Buffer.concat([
      Buffer.from(
        `${job.method} ${path} HTTP/1.1\r\nHost: ${url.host}\r\n${headerLines.join("")}\r\n`,
      ),
      Buffer.alloc(bodyBytes, 0x61),
    ]);
  const paths =
    job.pathsFile === undefined
      ? [`${url.pathname}${url.search}`]
      : (await Bun.file(job.pathsFile).text()).split("\n").filter((line) => line !== "");
  const requests = paths.map(requestFor);
  const nextRequest =
    requests.length === 1
      ? () => requests[0] as Buffer
      : () => requests[Math.floor(Math.random() * requests.length)] as Buffer;
  const latenciesMs: number[] = [];
  let errors = 0;
  const startedMs = performance.now();
  const deadlineMs = startedMs + job.durationMs;
  const connection = () =>
    new Promise<void>((resolve, reject) => {
      let pending: Buffer = Buffer.alloc(0);
      let sentMs = 0;
      const send = (socket: Socket) => {
        if (performance.now() >= deadlineMs) return void socket.end();
        sentMs = performance.now();
        socket.write(nextRequest());
      };
      Bun.connect({
        hostname: url.hostname,
        port: Number(url.port),
        socket: {
          open: send,
          data(socket, data) {
            pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
            for (;;) {
              const parsed = parseResponse(pending, job.method);
              if (parsed === null || parsed.length === -1) return;
              latenciesMs.push(performance.now() - sentMs);
              if (parsed.status !== job.okStatus) errors++;
              pending = pending.subarray(parsed.length);
              send(socket);
            }
          },
          close: () => resolve(),
          error: (_socket, error) => reject(error),
        },
      }).catch(reject);
    });
  await Promise.all(Array.from({ length: job.connections }, connection));
  return summarise(latenciesMs, errors, (performance.now() - startedMs) / 1000, "raw");
}
