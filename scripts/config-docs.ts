// docs/CONFIG.md and docs/hanami.example.yaml, generated from src/config/schema.ts.
// `--check` fails when the files on disk differ, so docs and schema cannot drift.
import { readFileSync, writeFileSync } from "node:fs";
import { Kind, type TSchema } from "@sinclair/typebox";
import { listSettings } from "../src/config/load.ts";

const FLAGS: Record<string, string> = {
  host: "--host",
  port: "--port",
  dataDir: "--data-dir",
  publicUrl: "--public-url",
};

function typeName(schema: TSchema): string {
  if (schema[Kind] === "Union") {
    return (schema.anyOf as TSchema[]).map((s) => String(s.const)).join(" \\| ");
  }
  if (schema[Kind] === "Array") return "list";
  return String(schema[Kind]).toLowerCase();
}

function renderMarkdown(): string {
  const groups = new Map<string, string[]>();
  for (const setting of listSettings()) {
    const group = setting.path.includes(".") ? (setting.path.split(".")[0] as string) : "server";
    const flag = FLAGS[setting.path] ?? `--set ${setting.path}=…`;
    const row = `| \`${setting.path}\` | \`${setting.env}\` | \`${flag}\` | ${typeName(setting.schema)} | \`${JSON.stringify(setting.schema.default)}\` | ${setting.schema.description} |`;
    groups.set(group, [...(groups.get(group) ?? []), row]);
  }
  const sections = [...groups].map(
    ([group, rows]) =>
      `## ${group}\n\n| setting | environment | flag | type | default | description |\n| --- | --- | --- | --- | --- | --- |\n${rows.join("\n")}\n`,
  );
  return `# Configuration

Generated from \`src/config/schema.ts\` by \`bun scripts/config-docs.ts\`; do not edit by hand.

Sources, weakest first: the defaults below, the YAML file given with \`--config <file.yaml>\`
(see \`docs/hanami.example.yaml\`), \`HANAMI_*\` environment variables, then command-line flags.
Every setting can be given on the command line as \`--set <path>=<value>\`. Lists are
comma-separated in the environment and on the command line. A variable named \`<NAME>_FILE\`
reads the value from that file (for secrets). Unknown keys and variables are errors, and
\`hanami check-config\` prints every problem at once (exit code 78).

${sections.join("\n")}`;
}

function renderYaml(): string {
  const lines = ["# hanami configuration: every setting with its default.", ""];
  let group = "";
  for (const setting of listSettings()) {
    const [head, leaf] = setting.path.includes(".") ? setting.path.split(".") : ["", setting.path];
    if (head !== group && head !== undefined) {
      group = head;
      if (group !== "") lines.push("", `${group}:`);
    }
    const indent = group === "" ? "" : "  ";
    lines.push(`${indent}# ${setting.schema.description}`);
    lines.push(`${indent}${leaf}: ${JSON.stringify(setting.schema.default)}`);
  }
  return `${lines.join("\n")}\n`;
}

const outputs: Array<[path: string, text: string]> = [
  ["docs/CONFIG.md", renderMarkdown()],
  ["docs/hanami.example.yaml", renderYaml()],
];

if (process.argv.includes("--check")) {
  const stale = outputs.filter(([path, text]) => {
    try {
      return readFileSync(path, "utf8") !== text;
    } catch {
      return true;
    }
  });
  for (const [path] of stale)
    console.error(`${path} is out of date: run bun scripts/config-docs.ts`);
  process.exit(stale.length > 0 ? 1 : 0);
}
for (const [path, text] of outputs) writeFileSync(path, text);
console.log(`wrote ${outputs.map(([path]) => path).join(", ")}`);
