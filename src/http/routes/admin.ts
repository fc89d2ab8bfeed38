// The operator's moderation API behind the admin bearer token (BUD-09 B09-03, B09-05).
import { BlossomError } from "../../protocol/errors.ts";
import { isSha256 } from "../../protocol/sha256.ts";
import type { ReportService } from "../../services/reports.ts";
import type { RouteSpec } from "../route.ts";

const MAX_LIST = 1000;

function hashParam(value: string | undefined): string {
  const sha256 = (value ?? "").toLowerCase();
  if (!isSha256(sha256)) throw new BlossomError("bad_request", "expected 64 hex characters");
  return sha256;
}

export function adminRoutes(deps: { reports: ReportService; token: string }): RouteSpec[] {
  const auth = { bearerToken: deps.token };
  return [
    {
      method: "GET",
      path: "/admin/reports",
      name: "admin",
      auth,
      handle: async ({ url }) => {
        const limit = Math.min(Number(url.searchParams.get("limit") ?? 100) || 100, MAX_LIST);
        return Response.json(await deps.reports.list(limit));
      },
    },
    {
      method: "DELETE",
      path: "/admin/reports/:eventId",
      name: "admin",
      auth,
      handle: async ({ params }) => {
        const dismissed = await deps.reports.dismiss(hashParam(params.eventId));
        return Response.json({ dismissed });
      },
    },
    {
      method: "DELETE",
      path: "/admin/blobs/:sha256",
      name: "admin",
      auth,
      handle: async ({ params }) => {
        await deps.reports.remove(hashParam(params.sha256));
        return new Response(null, { status: 204 });
      },
    },
    {
      method: "PUT",
      path: "/admin/bans/:sha256",
      name: "admin",
      auth,
      handle: async ({ params, url }) => {
        await deps.reports.ban(
          hashParam(params.sha256),
          url.searchParams.get("reason") ?? "banned by operator",
        );
        return new Response(null, { status: 204 });
      },
    },
  ];
}
