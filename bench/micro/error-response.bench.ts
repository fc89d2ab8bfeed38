// A refusal's response (src/http/errors.ts): a shed upload under a flood repeats one answer, whose
// headers the responder keeps; an answer it has not seen builds them (what every one did before).
// Also a refusal's error with and without a captured stack (src/protocol/errors.ts).
// Run alone: `bun bench/micro/error-response.bench.ts`.
import { bench, do_not_optimize, group, run, summary } from "mitata";
import { createErrorResponder } from "../../src/http/errors.ts";
import { BlossomError } from "../../src/protocol/errors.ts";

const respond = createErrorResponder();
const busy = new BlossomError("busy", "too many uploads in progress, retry later", {
  retryAfterSec: 1,
});
let unseen = 0;

group("503 for a shed upload, then X-Request-Id", () => {
  summary(() => {
    bench("an answer seen before (kept headers)", () => {
      const response = respond(busy, "PUT");
      response.headers.set("X-Request-Id", "x-1");
      do_not_optimize(response);
    });
    bench("an answer not seen before (headers built)", () => {
      const error = new BlossomError("busy", `too many uploads ${unseen++}`, { retryAfterSec: 1 });
      const response = respond(error, "PUT");
      response.headers.set("X-Request-Id", "x-1");
      do_not_optimize(response);
    });
  });
});

group("the error of a refusal", () => {
  summary(() => {
    bench("busy (no stack)", () =>
      do_not_optimize(new BlossomError("busy", "too many uploads in progress, retry later")),
    );
    bench("internal (with its stack)", () =>
      do_not_optimize(new BlossomError("internal", "too many uploads in progress, retry later")),
    );
  });
});

if (import.meta.main) await run({ colors: false });
