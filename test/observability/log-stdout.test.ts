// The batched stdout of src/observability/log.ts, in a process of its own: lines still waiting
// for their write when the process exits (process.exit after SIGTERM) are written, whole.
import { expect, test } from "bun:test";
import { resolve } from "node:path";

const LOG_MODULE = resolve(import.meta.dir, "../../src/observability/log.ts");

test("every line written before process.exit reaches stdout, one JSON object per line", async () => {
  const script = `
    import { createLogger } from ${JSON.stringify(LOG_MODULE)};
    const log = createLogger({ level: "info" });
    for (let i = 0; i < 5000; i++) log.info("request", { i, note: "x".repeat(i % 50) });
    log.info("last", { i: 5000 });
    process.exit(0);
  `;
  const proc = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
  const [output, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  const records = output
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as { event: string; i: number });
  expect({ code, count: records.length, last: records.at(-1)?.event }).toEqual({
    code: 0,
    count: 5001,
    last: "last",
  });
  expect(records.map((record) => record.i)).toEqual(Array.from({ length: 5001 }, (_, i) => i));
});

test("past 4 MiB held for an unread stdout, lines are dropped and counted, never reordered", async () => {
  const script = `
    import { createLogger } from ${JSON.stringify(LOG_MODULE)};
    const log = createLogger({ level: "info" });
    for (let i = 0; i < 40000; i++) log.info("request", { i, note: "x".repeat(150) });
    setTimeout(() => process.exit(0), 1500); // the reader starts at 500 ms and catches up
  `;
  const proc = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
  await Bun.sleep(500); // until then the logger runs into a full pipe
  const [output, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  const records = output
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as { event: string; i?: number; count?: number });
  const written = records.filter((record) => record.event === "request").map((r) => r.i ?? -1);
  const dropped = records.find((record) => record.event === "log lines dropped");
  expect(code).toBe(0);
  expect(dropped?.count).toBeGreaterThan(0);
  expect(written.length + (dropped?.count ?? 0)).toBe(40000);
  expect(written).toEqual([...written].sort((a, b) => a - b));
});
