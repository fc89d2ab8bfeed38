// The import-direction table of STYLE §3.3 as a check. Type-only imports are invisible to
// Bun.Transpiler.scanImports, so `import type` from storage/ in a service passes, values fail.

import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { Glob } from "bun";

type Layer = string;

/** Which src/ folders each folder may import values from; `*` = everything. */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  util: [],
  protocol: ["util"],
  config: ["util", "protocol"],
  observability: ["util"],
  overload: ["util"],
  storage: ["util", "protocol", "observability"],
  metadata: ["util", "protocol", "observability"],
  media: ["util"],
  workers: ["util", "protocol"],
  services: ["protocol", "util", "observability"],
  http: ["services", "protocol", "overload", "observability", "util"],
  root: ["*"],
};

/** Packages only one folder may import (STYLE §3.3). */
const PACKAGE_OWNER: Record<string, Layer> = {
  elysia: "http",
  sharp: "media",
  "bun:sqlite": "metadata",
  "drizzle-orm": "metadata",
};

const EXCEPTIONS: ReadonlyArray<[file: string, layer: Layer]> = [
  ["workers/cpu.worker.ts", "media"],
];

function layerOf(srcDir: string, file: string): Layer {
  const path = relative(srcDir, file);
  return path.includes("/") ? (path.split("/")[0] as Layer) : "root";
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string);
}

export function checkLayers(root: string): string[] {
  const srcDir = resolve(root, "src");
  const transpiler = new Bun.Transpiler({ loader: "ts" });
  const problems: string[] = [];
  for (const path of new Glob("**/*.ts").scanSync(srcDir)) {
    if (path.endsWith(".test.ts") || path.endsWith(".d.ts")) continue;
    const file = join(srcDir, path);
    const from = layerOf(srcDir, file);
    const allowed = MAY_IMPORT[from] ?? [];
    for (const { path: specifier } of transpiler.scanImports(readFileSync(file, "utf8"))) {
      const shown = `src/${path} → ${specifier}`;
      if (specifier.startsWith(".")) {
        const to = layerOf(srcDir, resolve(dirname(file), specifier));
        const excepted = EXCEPTIONS.some(([f, layer]) => f === path && layer === to);
        if (to !== from && !allowed.includes("*") && !allowed.includes(to) && !excepted) {
          problems.push(`${shown}: ${from} may not import ${to}`);
        }
        continue;
      }
      const owner = PACKAGE_OWNER[packageName(specifier)];
      if (owner !== undefined && owner !== from && from !== "root") {
        problems.push(`${shown}: only ${owner} may import ${packageName(specifier)}`);
      }
    }
  }
  return problems;
}

if (import.meta.main) {
  const problems = checkLayers(process.argv[2] ?? process.cwd());
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) process.exit(1);
  console.log("layers ok");
}
