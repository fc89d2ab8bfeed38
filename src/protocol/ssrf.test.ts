import { expect, test } from "bun:test";
import { classifyAddress, parseMirrorUrl } from "./ssrf.ts";

const refused = [
  "127.0.0.1",
  "0.0.0.0",
  "10.0.0.1",
  "172.16.0.1",
  "172.31.255.255",
  "192.168.1.1",
  "100.64.0.1",
  "169.254.169.254",
  "224.0.0.1",
  "255.255.255.255",
  "192.0.2.5",
  "198.18.0.1",
  "203.0.113.9",
  "::",
  "::1",
  "[::1]",
  "::ffff:127.0.0.1",
  "::ffff:7f00:1",
  "0:0:0:0:0:ffff:7f00:1",
  "::127.0.0.1",
  "64:ff9b::127.0.0.1",
  "64:ff9b::a9fe:a9fe",
  "64:ff9b:1::1",
  "2002:7f00:1::",
  "2002:c0a8:101::1",
  "fd00:ec2::254",
  "fc00::1",
  "fe80::1",
  "ff02::1",
  "2001:db8::1",
  "2001:0:4136:e378::1",
  "fe80::1%eth0",
  "not-an-ip",
  "1.2.3",
  "::ffff:999.0.0.1",
];
const allowed = [
  "93.184.216.34",
  "8.8.8.8",
  "172.32.0.1",
  "2606:4700:4700::1111",
  "::ffff:8.8.8.8",
  "2002:0808:0808::1",
  "64:ff9b::808:808",
];

for (const ip of refused) {
  test(`P-17: refuses ${ip}`, () => expect(classifyAddress(ip).allowed).toBe(false));
}
for (const ip of allowed) {
  test(`P-17: allows ${ip}`, () => expect(classifyAddress(ip)).toEqual({ allowed: true }));
}

test("P-17: only absolute http(s) URLs without credentials", () => {
  expect(parseMirrorUrl("https://cdn.example.com/a.png")).toMatchObject({ ok: true });
  const cases: Array<[unknown, string]> = [
    ["file:///etc/passwd", "forbidden"],
    ["data:,x", "forbidden"],
    ["s3://bucket/key", "forbidden"],
    ["ftp://example.com/x", "forbidden"],
    ["gopher://127.0.0.1:6379/_INFO", "forbidden"],
    ["blob:https://example.com/uuid", "forbidden"],
    ["http://user:pass@example.com/", "forbidden"],
    ["not a url", "bad_request"],
    [42, "bad_request"],
  ];
  for (const [raw, code] of cases) expect(parseMirrorUrl(raw)).toMatchObject({ ok: false, code });
});

test("A1: WHATWG parsing normalises IPv4 tricks before classification", () => {
  for (const raw of [
    "http://127.1/",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://１２７.０.０.１/",
    "http://0/",
  ]) {
    const parsed = parseMirrorUrl(raw);
    if (!parsed.ok) throw new Error(raw);
    expect({ raw, allowed: classifyAddress(parsed.url.hostname).allowed }).toEqual({
      raw,
      allowed: false,
    });
  }
});
