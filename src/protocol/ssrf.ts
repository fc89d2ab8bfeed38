// Which addresses /mirror may connect to (P-17, reliability A1): only public unicast.
// IPv4-mapped, v4-compatible, NAT64 and 6to4 addresses are judged by the IPv4 they embed.
import { type Checked, reject } from "./errors.ts";

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

const BLOCKED_V4: ReadonlyArray<[base: number, bits: number, name: string]> = [
  [0x00000000, 8, "this network"],
  [0x0a000000, 8, "private"],
  [0x64400000, 10, "carrier-grade NAT"],
  [0x7f000000, 8, "loopback"],
  [0xa9fe0000, 16, "link-local"],
  [0xac100000, 12, "private"],
  [0xc0000000, 24, "IETF protocol assignments"],
  [0xc0000200, 24, "documentation"],
  [0xc0a80000, 16, "private"],
  [0xc6120000, 15, "benchmarking"],
  [0xc6336400, 24, "documentation"],
  [0xcb007100, 24, "documentation"],
  [0xe0000000, 4, "multicast"],
  [0xf0000000, 4, "reserved"],
];

function parseIPv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

function classifyIPv4(value: number): AddressVerdict {
  for (const [base, bits, name] of BLOCKED_V4) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((value & mask) >>> 0 === base) return { allowed: false, reason: `${name} address` };
  }
  return { allowed: true };
}

/** Eight 16-bit groups, or null; a trailing dotted quad is accepted, zone ids are not. */
function parseIPv6(text: string): number[] | null {
  if (text.includes("%")) return null;
  let hex = text;
  if (text.includes(".")) {
    const lastColon = text.lastIndexOf(":");
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    hex = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = hex.split("::");
  if (halves.length > 2) return null;
  const toGroups = (part: string) => (part === "" ? [] : part.split(":"));
  const left = toGroups(halves[0] ?? "");
  const right = halves.length === 2 ? toGroups(halves[1] ?? "") : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...right];
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  return groups.map((g) => Number.parseInt(g, 16));
}

const embeddedV4 = (high: number, low: number) => ((high << 16) >>> 0) + low;

/** Prefixes that carry an IPv4 address inside; the embedded address decides. */
function embeddedIPv4(g: number[]): number | null {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, h7 = 0, h8 = 0] = g;
  const zeroHigh = a === 0 && b === 0 && c === 0 && d === 0 && e === 0;
  if (zeroHigh && (f === 0 || f === 0xffff)) return embeddedV4(h7, h8); // ::, ::1, compatible, mapped
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0)
    return embeddedV4(h7, h8); // NAT64
  if (a === 0x2002) return embeddedV4(b, c); // 6to4
  return null;
}

const refusedIPv6: Array<[test: (g: number[]) => boolean, reason: string]> = [
  [([a, b, c]) => a === 0x64 && b === 0xff9b && c === 1, "local NAT64 address"],
  [([a, b]) => a === 0x2001 && b === 0, "Teredo address"],
  [([a, b]) => a === 0x2001 && b === 0xdb8, "documentation address"],
  [([a, b, c, d]) => a === 0x100 && b === 0 && c === 0 && d === 0, "discard address"],
  [([a = 0]) => (a & 0xfe00) === 0xfc00, "unique local address"],
  [([a = 0]) => (a & 0xffc0) === 0xfe80, "link-local address"],
  [([a = 0]) => (a & 0xff00) === 0xff00, "multicast address"],
];

function classifyIPv6(groups: number[]): AddressVerdict {
  const v4 = embeddedIPv4(groups);
  if (v4 !== null) return classifyIPv4(v4);
  const refused = refusedIPv6.find(([test]) => test(groups));
  return refused === undefined ? { allowed: true } : { allowed: false, reason: refused[1] };
}

/** Judges one resolved or literal address; anything unparsable is refused. */
export function classifyAddress(ip: string): AddressVerdict {
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  const v4 = parseIPv4(bare);
  if (v4 !== null) return classifyIPv4(v4);
  const v6 = parseIPv6(bare);
  return v6 === null ? { allowed: false, reason: "unparsable address" } : classifyIPv6(v6);
}

/** P-17: an absolute http(s) URL without credentials; the host as the client would connect. */
export function parseMirrorUrl(raw: unknown): Checked<{ url: URL }> {
  if (typeof raw !== "string" || raw.length > 4096)
    return reject("bad_request", "url must be a string");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return reject("bad_request", "url is not an absolute URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return reject("forbidden", "only http and https URLs can be mirrored");
  }
  if (url.username !== "" || url.password !== "")
    return reject("forbidden", "URLs with credentials are refused");
  if (url.hostname === "") return reject("bad_request", "url has no host");
  return { ok: true, url };
}
