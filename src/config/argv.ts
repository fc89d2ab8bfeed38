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

export function parseArgs(argv: readonly string[]): ParsedArgs | { usage: string } {
  const [first, ...rest] = argv;
  const command = first === undefined || first.startsWith("-") ? (first === "--version" ? "version" : "serve") : first;
  const args = first === undefined || first.startsWith("-") ? (first === "--version" ? [] : [...argv]) : rest;
  const flags: Record<string, string> = {};
  let configFile: string | undefined;
  let repair = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [name, inline] = arg.includes("=") && arg.startsWith("--") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (name === "--repair") {
      repair = true;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) return { usage: `${name} needs a value` };
    if (name === "--config") configFile = value;
    else if (name === "--set") {
      const at = value.indexOf("=");
      if (at <= 0) return { usage: "--set takes path=value" };
      flags[value.slice(0, at)] = value.slice(at + 1);
    } else if (name !== undefined && FLAG_TO_PATH[name] !== undefined) flags[FLAG_TO_PATH[name]] = value;
    else return { usage: `unknown option ${name}` };
  }
  return { command, configFile, flags, repair };
}

export const USAGE = `Usage: hanami <command> [options]

Commands:
  serve           start the server (default)
  check-config    validate the configuration, print every problem, exit 78 on error
  migrate         apply database migrations and exit
  fsck [--repair] re-hash every stored blob; report corrupt, orphan and dangling entries
  version         print the version

Options:
  --config <file.yaml>   settings file
  --host <address>       --port <n>     --data-dir <dir>     --public-url <url>
  --set <path>=<value>   any other setting, e.g. --set upload.maxBytes=1048576
Every setting is also an environment variable HANAMI_<NAME>; see docs/CONFIG.md.`;
