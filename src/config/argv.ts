// Command line → subcommand, config file and setting overrides.

export interface ParsedArgs {
  readonly command: string;
  readonly configFile: string | undefined;
  /** Settings by path, e.g. { port: "8080", "upload.maxBytes": "1000" }. */
  readonly flags: Record<string, string>;
  readonly repair: boolean;
}

const FLAG_TO_PATH: Record<string, string> = {
  "--host": "host",
  "--port": "port",
  "--data-dir": "dataDir",
  "--public-url": "publicUrl",
};

function splitCommand(argv: readonly string[]): [command: string, args: readonly string[]] {
  const [first, ...rest] = argv;
  if (first === "--version") return ["version", []];
  if (first === "--help" || first === "-h") return ["help", []];
  if (first === undefined || first.startsWith("-")) return ["serve", argv];
  return [first, rest];
}

/** `--name value` or `--name=value` → [name, value, how many argv items were used]. */
function readOption(args: readonly string[], at: number): [string, string | undefined, number] {
  const arg = args[at] as string;
  const equals = arg.indexOf("=");
  if (arg.startsWith("--") && equals !== -1)
    return [arg.slice(0, equals), arg.slice(equals + 1), 1];
  return [arg, args[at + 1], 2];
}

export function parseArgs(argv: readonly string[]): ParsedArgs | { usage: string } {
  const [command, args] = splitCommand(argv);
  const flags: Record<string, string> = {};
  let configFile: string | undefined;
  let repair = false;
  for (let at = 0; at < args.length; ) {
    if (args[at] === "--repair") {
      repair = true;
      at += 1;
      continue;
    }
    const [name, value, used] = readOption(args, at);
    at += used;
    if (value === undefined) return { usage: `${name} needs a value` };
    if (name === "--config") {
      configFile = value;
      continue;
    }
    const setting = toSetting(name, value);
    if ("usage" in setting) return setting;
    flags[setting.path] = setting.value;
  }
  return { command, configFile, flags, repair };
}

function toSetting(
  name: string,
  value: string,
): { path: string; value: string } | { usage: string } {
  if (name !== "--set") {
    const path = FLAG_TO_PATH[name];
    return path === undefined ? { usage: `unknown option ${name}` } : { path, value };
  }
  const at = value.indexOf("=");
  if (at <= 0) return { usage: "--set takes path=value" };
  return { path: value.slice(0, at), value: value.slice(at + 1) };
}

export const USAGE = `Usage: hanami <command> [options]

Commands:
  serve           start the server (default)
  check-config    validate the configuration, print every problem, exit 78 on error
  migrate         apply database migrations and exit
  fsck [--repair] re-hash every stored blob; report corrupt, orphan and dangling entries
  reports         print the newest BUD-09 reports (act on them with the admin API)
  doctor          check that image processing (sharp) and ffmpeg work on this machine
  version         print the version

Options:
  --config <file.yaml>   settings file
  --host <address>       --port <n>     --data-dir <dir>     --public-url <url>
  --set <path>=<value>   any other setting, e.g. --set upload.maxBytes=1048576
Every setting is also an environment variable HANAMI_<NAME>; see docs/CONFIG.md.`;
