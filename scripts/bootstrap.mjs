// Fresh-machine bootstrap, plain Node with no dependencies: installs the pinned Bun from the npm
// registry into .tools/, then the project's dependencies from bun.lock, optionally the system
// packages the tests need (ffmpeg, strace), and finally runs `bun <file> [args…]`.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const toolsDir = join(root, ".tools");
const binDir = join(toolsDir, "node_modules", ".bin");
const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).engines.bun;
const env = { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ""}` };

function say(message) {
  console.error(`[bootstrap] ${message}`);
}

function versionOf(bun) {
  try {
    return execFileSync(bun, ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

/** npm may skip the bun package's postinstall; the platform package holds the real binary. */
function platformBinary() {
  const scope = join(toolsDir, "node_modules", "@oven");
  if (!existsSync(scope)) return null;
  const candidates = readdirSync(scope)
    .filter((name) => name.startsWith(`bun-${process.platform}-${process.arch}`))
    .sort((a, b) => a.length - b.length)
    .map((name) => join(scope, name, "bin", "bun"));
  return candidates.find((path) => versionOf(path) === pinned) ?? null;
}

function ensureBun() {
  const bun = join(binDir, "bun");
  if (versionOf(bun) === pinned) return bun;
  say(`installing bun ${pinned} from the npm registry into .tools/`);
  execFileSync(
    "npm",
    [
      "install",
      "--no-save",
      "--no-package-lock",
      "--no-audit",
      "--no-fund",
      "--prefix",
      toolsDir,
      `bun@${pinned}`,
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  if (versionOf(bun) === pinned) return bun;
  const fallback = platformBinary();
  if (fallback === null) throw new Error(`could not install a working bun ${pinned}`);
  say("using the binary of the platform package directly");
  return fallback;
}

/** Commands the tests use, and the Debian package of each: video tests need ffmpeg, the S10
 * syscall audit strace. Without them those tests are skipped with a reason. */
const SYSTEM_PACKAGES = [
  ["ffmpeg", "-version", "ffmpeg"],
  ["strace", "-V", "strace"],
];

function installed(command, versionArg) {
  try {
    execFileSync(command, [versionArg], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function ensureSystemPackages() {
  const missing = SYSTEM_PACKAGES.filter(([command, arg]) => !installed(command, arg)).map(
    ([, , pkg]) => pkg,
  );
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    say(
      `${missing.join(", ")} missing and we are not root: their tests will be skipped with a reason`,
    );
    return;
  }
  say(`installing ${missing.join(", ")} with apt-get (this takes a minute)`);
  try {
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  } catch (error) {
    say(`could not install ${missing.join(", ")} (${error.message}); their tests will be skipped`);
  }
}

const args = process.argv.slice(2);
const bun = ensureBun();
say(`bun ${pinned}; installing dependencies from bun.lock`);
execFileSync(bun, ["install", "--frozen-lockfile"], {
  cwd: root,
  stdio: ["ignore", "ignore", "inherit"],
  env,
});
if (args.includes("--with-system-packages")) ensureSystemPackages();
const execAt = args.indexOf("--exec");
if (execAt !== -1) {
  const child = spawn(bun, args.slice(execAt + 1), { cwd: root, stdio: "inherit", env });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
}
