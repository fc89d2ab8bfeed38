// Layers every source into one frozen Config, or returns every problem at once (STYLE rule 5):
// defaults < YAML file < HANAMI_* environment < command-line flags.
import { Kind, type TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { CONFIG_RULES, type Config, ConfigSchema } from "./schema.ts";

export interface ConfigError {
  readonly path: string;
  readonly expected: string;
  readonly got: string;
  readonly source: string;
}

export interface Setting {
  readonly path: string;
  readonly env: string;
  readonly schema: TSchema;
}

export interface ConfigSources {
  readonly fileText?: string | undefined;
  readonly filePath?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Settings given on the command line, by path (`port`, `upload.maxBytes`). */
  readonly flags: Readonly<Record<string, string>>;
  readonly readFile?: (path: string) => string;
}

export type LoadResult =
  | { config: Config; sources: Record<string, string> }
  | { errors: ConfigError[] };

const ENV_PREFIX = "HANAMI_";

function envName(path: string): string {
  return (
    ENV_PREFIX +
    path
      .replace(/\./g, "_")
      .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
      .toUpperCase()
  );
}

/** Every leaf setting of the schema, in declaration order. */
export function listSettings(schema: TSchema = ConfigSchema, prefix = ""): Setting[] {
  const properties = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  return Object.entries(properties).flatMap(([key, child]) => {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    return child[Kind] === "Object"
      ? listSettings(child, path)
      : [{ path, env: envName(path), schema: child }];
  });
}

function describeExpected(schema: TSchema): string {
  if (schema[Kind] === "Integer") return `integer >= ${schema.minimum ?? 0}`;
  if (schema[Kind] === "Boolean") return "true or false";
  if (schema[Kind] === "Array") return "a list of strings";
  if (schema[Kind] === "Union") {
    return `one of ${(schema.anyOf as TSchema[]).map((s) => JSON.stringify(s.const)).join(", ")}`;
  }
  return "a string";
}

/** Text from env or flags → a typed value; undefined when it does not parse. */
function parseText(schema: TSchema, text: string): unknown {
  switch (schema[Kind]) {
    case "Integer":
      return /^-?[0-9]{1,16}$/.test(text.trim()) ? Number(text.trim()) : undefined;
    case "Boolean": {
      const value = text.trim().toLowerCase();
      if (value === "true" || value === "1") return true;
      return value === "false" || value === "0" ? false : undefined;
    }
    case "Array":
      return text.trim() === "" ? [] : text.split(",").map((item) => item.trim());
    default:
      return text;
  }
}

function getPath(object: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], object);
}

function setPath(object: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop() as string;
  let node = object;
  for (const key of keys) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[last] = value;
}

function unknownFileKeys(node: unknown, schema: TSchema, prefix: string): string[] {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return [];
  const properties = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  return Object.entries(node).flatMap(([key, value]) => {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    const child = properties[key];
    if (child === undefined) return [path];
    return child[Kind] === "Object" ? unknownFileKeys(value, child, path) : [];
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function parseFile(sources: ConfigSources, errors: ConfigError[]): unknown {
  if (sources.fileText === undefined) return {};
  const source = sources.filePath ?? "config file";
  try {
    const parsed = Bun.YAML.parse(sources.fileText) ?? {};
    for (const path of unknownFileKeys(parsed, ConfigSchema, "")) {
      errors.push({ path, expected: "a known setting", got: "unknown key", source });
    }
    return parsed;
  } catch (error) {
    errors.push({ path: "(file)", expected: "valid YAML", got: String(error), source });
    return {};
  }
}

function unknownNames(sources: ConfigSources, settings: readonly Setting[]): ConfigError[] {
  const knownEnv = new Set(settings.flatMap((s) => [s.env, `${s.env}_FILE`]));
  const errors: ConfigError[] = [];
  for (const name of Object.keys(sources.env)) {
    if (name.startsWith(ENV_PREFIX) && !knownEnv.has(name)) {
      errors.push({
        path: name,
        expected: "a known HANAMI_* variable",
        got: "unknown variable",
        source: "environment",
      });
    }
  }
  for (const path of Object.keys(sources.flags)) {
    if (!settings.some((s) => s.path === path)) {
      errors.push({
        path,
        expected: "a known setting",
        got: "unknown setting",
        source: "command line",
      });
    }
  }
  return errors;
}

/** The winning raw text of one setting (secret file < env < flag), or the file's value. */
function resolveSetting(setting: Setting, file: unknown, sources: ConfigSources) {
  let value: unknown = setting.schema.default;
  let source = "default";
  let raw: string | undefined;
  const fromFile = getPath(file, setting.path);
  if (fromFile !== undefined) [value, source] = [fromFile, sources.filePath ?? "config file"];
  const secretFile = sources.env[`${setting.env}_FILE`];
  if (secretFile !== undefined && sources.readFile !== undefined) {
    [raw, source] = [sources.readFile(secretFile).trim(), `${setting.env}_FILE`];
  }
  const fromEnv = sources.env[setting.env];
  if (fromEnv !== undefined) [raw, source] = [fromEnv, setting.env];
  const fromFlag = sources.flags[setting.path];
  if (fromFlag !== undefined) [raw, source] = [fromFlag, "command line"];
  if (raw !== undefined) value = parseText(setting.schema, raw);
  const got = raw !== undefined ? JSON.stringify(raw) : JSON.stringify(fromFile);
  return { value, source, got };
}

export function loadConfig(sources: ConfigSources): LoadResult {
  const settings = listSettings();
  const errors = unknownNames(sources, settings);
  const file = parseFile(sources, errors);
  const config: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  for (const setting of settings) {
    const { value, source, got } = resolveSetting(setting, file, sources);
    if (value === undefined || !Value.Check(setting.schema, value)) {
      errors.push({ path: setting.path, expected: describeExpected(setting.schema), got, source });
      continue;
    }
    setPath(config, setting.path, value);
    origin[setting.path] = source;
  }
  if (errors.length > 0) return { errors };
  const typed = config as Config;
  for (const rule of CONFIG_RULES) {
    for (const problem of rule(typed)) {
      const got = JSON.stringify(getPath(typed, problem.path));
      errors.push({ ...problem, got, source: origin[problem.path] ?? "default" });
    }
  }
  return errors.length > 0 ? { errors } : { config: deepFreeze(typed), sources: origin };
}

export function formatConfigError(error: ConfigError): string {
  return `${error.path}: expected ${error.expected}, got ${error.got} (from ${error.source})`;
}
