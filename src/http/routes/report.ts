// PUT /report (BUD-09, P-20) and GET /tos (B09-06).
import { BlossomError } from "../../protocol/errors.ts";
import type { ReportService } from "../../services/reports.ts";
import type { RouteSpec } from "../route.ts";

export interface ReportRouteDeps {
  readonly reports: ReportService;
  readonly maxBytes: number;
  readonly tosText: string;
}

/** Reads a small JSON body, refusing more than `maxBytes` before and while reading (413). */
async function readJson(request: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  const tooLarge = () => new BlossomError("too_large", `report is larger than ${maxBytes} bytes`);
  if (declared > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body ?? []) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new BlossomError("bad_request", "report body is not JSON");
  }
}

export function reportRoutes(deps: ReportRouteDeps): RouteSpec[] {
  return [
    {
      method: "PUT",
      path: "/report",
      name: "report",
      auth: "public", // the body is itself a signed event (blossom.md §11)
      handle: async ({ request }) => {
        const { received } = await deps.reports.submit(await readJson(request, deps.maxBytes));
        return Response.json({ status: "received", blobs: received });
      },
    },
    {
      method: "GET",
      path: "/tos",
      name: "tos",
      auth: "public",
      handle: () =>
        new Response(deps.tosText, { headers: { "Content-Type": "text/plain; charset=utf-8" } }),
    },
  ];
}
