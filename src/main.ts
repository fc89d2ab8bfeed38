// hanami's entry point: argv → subcommand; the only place that exits.
import { readFileSync } from "node:fs";
import pkg from "../package.json" with { type: "json" };
import { startServer } from "./app.ts";
import { type ParsedArgs, parseArgs, USAGE } from "./config/argv.ts";
import { formatConfigError, loadConfig } from "./config/load.ts";
import type { Config } from "./config/schema.ts";
import { mediaSelfTest } from "./media/self-test.ts";
import { createLogger } from "./observability/log.ts";
import { listReports, mediaCacheDir, runFsck, runMigrations } from "./stores.ts";

declare const HANAMI_VERSION: string | undefined;
const version = typeof HANAMI_VERSION === "string" ? HANAMI_VERSION : pkg.version;

const EXIT_USAGE = 64;
const EXIT_CONFIG = 78;

function fail(code: number, message: string): never {
  createLogger({ level: "error" }).error("fatal", { message });
  process.exit(code);
}

function configFrom(configFile: string | undefined, flags: Record<string, string>) {
  let fileText: string | undefined;
  if (configFile !== undefined) {
    try {
      fileText = readFileSync(configFile, "utf8");
    } catch (error) {
      fail(EXIT_CONFIG, `cannot read config file ${configFile}: ${String(error)}`);
    }
  }
  return loadConfig({
    fileText,
    filePath: configFile,
    env: process.env,
    flags,
    readFile: (path) => readFileSync(path, "utf8"),
  });
}

/** One bad request must not take the process down (reliability A15): log, count, live on. */
function keepAliveOnStrayErrors(): void {
  const log = createLogger({ level: "error" });
  process.on("unhandledRejection", (reason) => log.error("unhandled.rejection", { error: reason }));
  process.on("uncaughtException", (error) => log.error("uncaught.exception", { error }));
}

async function serve(config: Config): Promise<void> {
  keepAliveOnStrayErrors();
  const server = await startServer(config, version);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.stop(signal).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

type Command = (config: Config, args: ParsedArgs, sources: Record<string, string>) => Promise<void>;

/** Commands that need a valid configuration; each exits with its own code. */
const COMMANDS: Record<string, Command> = {
  serve: (config) => serve(config),
  migrate: (config) =>
    runMigrations(config, (versions, ms) =>
      createLogger({ level: config.logLevel }).info("index migrated", { versions, ms }),
    ),
  "check-config": async (config, _args, sources) => {
    process.stdout.write("config ok\n");
    for (const [path, source] of Object.entries(sources)) {
      const value = path
        .split(".")
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
      process.stdout.write(`${path} = ${JSON.stringify(value)} (${source})\n`);
    }
  },
  fsck: async (config, args) => {
    const result = await runFsck(config, { repair: args.repair });
    printJson(result.report);
    process.exit(result.ok ? 0 : 1);
  },
  reports: async (config) => printJson(await listReports(config, 1000)),
  doctor: async (config) => {
    const report = await mediaSelfTest({
      cacheDir: mediaCacheDir(config),
      ffmpegPath: config.media.ffmpegPath,
      ffprobePath: config.media.ffprobePath,
    });
    printJson(report);
    process.exit(report.sharp.ok ? 0 : 1);
  },
};

async function main(argv: readonly string[]): Promise<void> {
  const parsed = parseArgs(argv);
  if ("usage" in parsed) fail(EXIT_USAGE, `${parsed.usage}\n${USAGE}`);
  if (parsed.command === "version") return void process.stdout.write(`hanami ${version}\n`);
  if (parsed.command === "help") return void process.stdout.write(`${USAGE}\n`);
  const command = COMMANDS[parsed.command];
  if (command === undefined) fail(EXIT_USAGE, `unknown command ${parsed.command}\n${USAGE}`);
  const loaded = configFrom(parsed.configFile, parsed.flags);
  if ("errors" in loaded) {
    const log = createLogger({ level: "error" });
    for (const error of loaded.errors)
      log.error("config.invalid", { problem: formatConfigError(error) });
    process.exit(EXIT_CONFIG);
  }
  await command(loaded.config, parsed, loaded.sources);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  createLogger({ level: "error" }).error("fatal", { error });
  process.exit(1);
});
