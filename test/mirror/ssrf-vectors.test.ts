// S1: the 37 SSRF vectors of our reliability plan, as the url and again as a redirect's Location,
// through a fake resolver and a recording connector. No traffic leaves loopback: the connector
// refuses every address but the test origin's.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BlossomError } from "../../src/protocol/errors.ts";
import { createMirrorFetcher } from "../../src/services/mirror-fetch.ts";

const PUBLIC = "93.184.216.34";
const NAMES: Record<string, string[]> = {
  localhost: ["127.0.0.1"],
  "evil.test": ["127.0.0.1"],
  "example.test": ["127.0.0.1"],
  "mixed.test": [PUBLIC, "10.0.0.7"],
};

const VECTORS = [
  // IPv4 forms (8)
  "http://127.0.0.1/",
  "http://127.1/",
  "http://0x7f000001/",
  "http://2130706433/",
  "http://0177.0.0.1/",
  "http://１２７.０.０.１/",
  "http://0.0.0.0/",
  "http://0/",
  // private and special IPv4 (6)
  "http://10.0.0.1/",
  "http://172.16.0.1/",
  "http://192.168.1.1/",
  "http://100.64.0.1/",
  "http://169.254.169.254/latest/meta-data/",
  "http://224.0.0.1/",
  // IPv6 forms (9)
  "http://[::1]/",
  "http://[::]/",
  "http://[::ffff:127.0.0.1]/",
  "http://[0:0:0:0:0:ffff:7f00:1]/",
  "http://[::127.0.0.1]/",
  "http://[64:ff9b::127.0.0.1]/",
  "http://[2002:7f00:1::]/",
  "http://[fd00:ec2::254]/",
  "http://[fe80::1]/",
  // names (4)
  "http://localhost/",
  "http://localhost./",
  "http://LOCALHOST/",
  "http://evil.test/",
  // DNS tricks (2)
  "http://mixed.test/",
  "http://rebind.test/",
  // schemes (6)
  "file:///etc/passwd",
  "data:,x",
  "s3://bucket/key",
  "ftp://127.0.0.1/",
  "gopher://127.0.0.1:6379/_INFO",
  "blob:http://127.0.0.1/uuid",
  // parser tricks (2)
  "http://example.test\\@127.0.0.1/",
  "http://127.0.0.1%2f@example.test/",
] as const;

let origin: ReturnType<typeof Bun.serve>;
let originRequests: string[] = [];

beforeAll(() => {
  origin = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const url = new URL(request.url);
      originRequests.push(url.pathname);
      const target = url.searchParams.get("to");
      return target === null
        ? new Response("origin")
        : // header values are bytes: non-ASCII (the full-width vector) goes percent-encoded
          new Response(null, {
            status: 302,
            headers: { location: target.replace(/[^\x20-\x7e]/g, encodeURIComponent) },
          });
    },
  });
});
afterAll(() => origin.stop(true));

function harness() {
  const lookups: string[] = [];
  const connects: string[] = [];
  let rebindAnswered = false;
  const fetchBlob = createMirrorFetcher({
    resolve: async (host) => {
      const name = host.toLowerCase().replace(/\.$/, "");
      lookups.push(name);
      if (name === "rebind.test") {
        const answer = rebindAnswered ? "127.0.0.1" : PUBLIC;
        rebindAnswered = true;
        return [answer];
      }
      return NAMES[name] ?? [];
    },
    onConnect: (address, port) => {
      connects.push(`${address}:${port}`);
      if (!(address === "127.0.0.1" && port === origin.port))
        throw new BlossomError("upstream_failed", "recorded, not connected");
    },
    allowHosts: [`127.0.0.1:${origin.port}`],
    connectTimeoutMs: 2000,
    totalTimeoutMs: 5000,
    minBytesPerSec: 1,
    maxRedirects: 5,
    maxBytes: 1024,
    nowMs: () => Date.now(),
  });
  return { fetchBlob, lookups, connects };
}

async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return "fetched";
  } catch (error) {
    return error instanceof BlossomError ? error.code : `unexpected ${String(error)}`;
  }
}

describe("S1: SSRF vectors", () => {
  test(`S1: all ${VECTORS.length} vectors refused as the url, with no connection to a refused address`, async () => {
    expect(VECTORS.length).toBe(37);
    const results: string[] = [];
    for (const vector of VECTORS) {
      const { fetchBlob, connects } = harness();
      const code = await outcome(() => fetchBlob(vector));
      const pinnedPublicOnly =
        vector === "http://rebind.test/" && connects.join() === `${PUBLIC}:80`;
      results.push(
        `${vector} → ${code}${connects.length > 0 && !pinnedPublicOnly ? ` (connected ${connects})` : ""}`,
      );
    }
    const refused = results.filter((line) => / → (forbidden|bad_request)$/.test(line));
    const rebind = results.find((line) => line.startsWith("http://rebind.test/"));
    // The rebinding name is public at the only lookup made: it is pinned to that address, and the
    // recording connector stands in for the far side, so nothing reaches 127.0.0.1.
    expect(rebind).toBe("http://rebind.test/ → upstream_failed");
    expect(results.filter((line) => !refused.includes(line) && line !== rebind)).toEqual([]);
    expect(originRequests).toEqual([]);
    console.log(
      `S1: ${refused.length + 1}/37 vectors refused or pinned, 0 connects to a refused address`,
    );
  });

  test("S1: the rebinding name is looked up once and the connection goes to the checked address", async () => {
    const { fetchBlob, lookups, connects } = harness();
    await outcome(() => fetchBlob("http://rebind.test/"));
    expect(lookups).toEqual(["rebind.test"]);
    expect(connects).toEqual([`${PUBLIC}:80`]);
  });

  test("S1: every vector is refused again as the Location of a redirect from an allowed origin", async () => {
    originRequests = [];
    const failures: string[] = [];
    for (const vector of VECTORS) {
      if (vector === "http://rebind.test/") continue;
      const { fetchBlob, connects } = harness();
      const from = `http://127.0.0.1:${origin.port}/hop?to=${encodeURIComponent(vector)}`;
      const code = await outcome(() => fetchBlob(from));
      const strangers = connects.filter((c) => c !== `127.0.0.1:${origin.port}`);
      if (!["forbidden", "bad_request"].includes(code) || strangers.length > 0)
        failures.push(`${vector} → ${code} ${strangers}`);
    }
    expect(failures).toEqual([]);
    expect(originRequests.every((path) => path === "/hop")).toBe(true);
  });
});
