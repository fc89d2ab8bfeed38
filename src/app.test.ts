import { expect, test } from "bun:test";
import { supportedBuds } from "./app.ts";
import { loadConfig } from "./config/load.ts";

function configWith(flags: Record<string, string>) {
  const result = loadConfig({ env: {}, flags });
  if (!("config" in result)) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

test("P-28: the landing page names only the optional BUDs that are switched on", () => {
  expect(supportedBuds(configWith({}))).toContain("BUD-05");
  const trimmed = supportedBuds(
    configWith({ "mirror.enabled": "false", "media.enabled": "false", "reports.enabled": "false" }),
  );
  expect(trimmed).toEqual(["BUD-01", "BUD-02", "BUD-06", "BUD-08", "BUD-11", "BUD-12"]);
});
