import { describe, expect, test } from "bun:test";
import { parseArgs } from "./argv.ts";
import { formatConfigError, listSettings, loadConfig } from "./load.ts";

const load = (sources: Partial<Parameters<typeof loadConfig>[0]>) =>
  loadConfig({ env: {}, flags: {}, ...sources });

describe("sources and precedence", () => {
  test("defaults alone give a valid, frozen config", () => {
    const result = load({});
    if ("errors" in result) throw new Error(JSON.stringify(result.errors));
    expect(result.config.port).toBe(3000);
    expect(result.config.upload.maxBytes).toBe(100 * 1024 ** 2);
    expect(Object.isFrozen(result.config.upload)).toBe(true);
    expect(result.sources.port).toBe("default");
  });

  test("YAML < environment < flags, and each setting says which source won", () => {
    const result = load({
      fileText: "port: 4000\nupload:\n  maxBytes: 10\nlist:\n  enabled: false\n",
      filePath: "hanami.yaml",
      env: {
        HANAMI_PORT: "5000",
        HANAMI_UPLOAD_MAX_BYTES: "20",
        HANAMI_MIRROR_ALLOW_HOSTS: "a.test, b.test:8080",
      },
      flags: { port: "6000" },
    });
    if ("errors" in result) throw new Error(JSON.stringify(result.errors));
    expect(result.config.port).toBe(6000);
    expect(result.config.upload.maxBytes).toBe(20);
    expect(result.config.list.enabled).toBe(false);
    expect(result.config.mirror.allowHosts).toEqual(["a.test", "b.test:8080"]);
    expect(result.sources).toMatchObject({
      port: "command line",
      "upload.maxBytes": "HANAMI_UPLOAD_MAX_BYTES",
      "list.enabled": "hanami.yaml",
      "mirror.allowHosts": "HANAMI_MIRROR_ALLOW_HOSTS",
    });
  });

  test("a _FILE variable reads a secret from a file", () => {
    const result = load({
      env: { HANAMI_METRICS_TOKEN_FILE: "/run/secrets/metrics" },
      readFile: (path) => (path === "/run/secrets/metrics" ? "s3cret\n" : ""),
    });
    if ("errors" in result) throw new Error(JSON.stringify(result.errors));
    expect(result.config.metrics.token).toBe("s3cret");
    expect(result.sources["metrics.token"]).toBe("HANAMI_METRICS_TOKEN_FILE");
  });

  test("every setting has an environment variable named from its path", () => {
    const names = listSettings().map((s) => s.env);
    expect(names).toContain("HANAMI_PORT");
    expect(names).toContain("HANAMI_MIRROR_ALLOW_HOSTS");
    expect(names).toContain("HANAMI_UPLOAD_MAX_BYTES");
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("validation collects every problem at once", () => {
  test("rule 5: typos and bad values are errors with path, expectation, value and source", () => {
    const result = load({
      fileText: "prot: 1\nupload:\n  maxBytez: 1\n",
      filePath: "h.yaml",
      env: { HANAMI_PORT: "30OO", HANAMI_NOPE: "1", HANAMI_STORAGE_FSYNC: "maybe" },
      flags: { "upload.maxBytes": "1e3", "no.such": "x" },
    });
    expect("errors" in result).toBe(true);
    if (!("errors" in result)) return;
    const lines = result.errors.map(formatConfigError);
    expect(lines).toEqual(
      expect.arrayContaining([
        'port: expected integer >= 0, got "30OO" (from HANAMI_PORT)',
        'upload.maxBytes: expected integer >= 0, got "1e3" (from command line)',
        'storage.fsync: expected true or false, got "maybe" (from HANAMI_STORAGE_FSYNC)',
        "HANAMI_NOPE: expected a known HANAMI_* variable, got unknown variable (from environment)",
        "no.such: expected a known setting, got unknown setting (from command line)",
        "prot: expected a known setting, got unknown key (from h.yaml)",
        "upload.maxBytez: expected a known setting, got unknown key (from h.yaml)",
      ]),
    );
  });

  test("cross-field rules: public URL at the root, hex pubkeys, proxies are IPs, idle timeout cap", () => {
    const result = load({
      flags: {
        publicUrl: "https://cdn.example.com/blossom",
        "auth.allowedPubkeys": "npub1abc",
        trustedProxies: "proxy.local",
        "http.idleTimeoutSec": "300",
      },
    });
    if (!("errors" in result)) throw new Error("expected errors");
    expect(result.errors.map((e) => e.path).sort()).toEqual(
      ["auth.allowedPubkeys", "http.idleTimeoutSec", "publicUrl", "trustedProxies"].sort(),
    );
  });

  test("malformed YAML is one clear error", () => {
    const result = load({ fileText: "port: [1, 2", filePath: "bad.yaml" });
    expect("errors" in result && result.errors[0]?.path).toBe("(file)");
  });
});

describe("argv", () => {
  test("subcommands, flags and --set", () => {
    expect(parseArgs([])).toEqual({
      command: "serve",
      configFile: undefined,
      flags: {},
      repair: false,
    });
    expect(parseArgs(["--version"])).toMatchObject({ command: "version" });
    expect(parseArgs(["--help"])).toMatchObject({ command: "help" });
    expect(parseArgs(["-h"])).toMatchObject({ command: "help" });
    expect(
      parseArgs([
        "serve",
        "--port",
        "0",
        "--data-dir=/d",
        "--config",
        "h.yaml",
        "--set",
        "upload.maxBytes=5",
      ]),
    ).toEqual({
      command: "serve",
      configFile: "h.yaml",
      flags: { port: "0", dataDir: "/d", "upload.maxBytes": "5" },
      repair: false,
    });
    expect(parseArgs(["fsck", "--repair"])).toMatchObject({ command: "fsck", repair: true });
    expect(parseArgs(["serve", "--bogus", "1"])).toEqual({ usage: "unknown option --bogus" });
    expect(parseArgs(["serve", "--port"])).toEqual({ usage: "--port needs a value" });
    expect(parseArgs(["serve", "--set", "novalue"])).toEqual({ usage: "--set takes path=value" });
  });
});
