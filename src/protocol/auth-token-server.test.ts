// P-06: how a token's server tags and this server's own names are normalised before they meet.
import { describe, expect, test } from "bun:test";
import { hostnameOf, normaliseServerTag } from "./auth-token.ts";

describe("P-06: server tag normalisation", () => {
  const cases: Array<[string, string]> = [
    ["cdn.example.com", "cdn.example.com"],
    [" CDN.Example.com ", "cdn.example.com"],
    ["https://cdn.example.com/", "cdn.example.com"],
    ["http://cdn.example.com:8080/path", "cdn.example.com"],
    ["cdn.example.com:3000", "cdn.example.com"],
    ["cdn.example.com/upload", "cdn.example.com"],
    ["www.cdn.example.com", "www.cdn.example.com"],
  ];
  for (const [input, expected] of cases) {
    test(`P-06: ${JSON.stringify(input)} → ${expected}`, () => {
      expect(normaliseServerTag(input)).toBe(expected);
    });
  }
});

describe("P-06: this server's names", () => {
  test("P-06: hostnameOf takes the configured public URL's host, lower-cased, without port", () => {
    expect(hostnameOf("https://CDN.Example.com:8443/base/")).toBe("cdn.example.com");
    expect(hostnameOf("http://127.0.0.1:3000")).toBe("127.0.0.1");
  });

  test("P-06: an IPv6 URL tag keeps its brackets, like hostnameOf", () => {
    expect(normaliseServerTag("http://[::1]:3000/")).toBe(hostnameOf("http://[::1]:3000"));
    expect(normaliseServerTag("[::1]:3000")).toBe("[::1]");
  });
});
