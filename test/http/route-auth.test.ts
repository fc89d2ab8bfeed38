// Fail closed (STYLE rule 4): every route states its auth, and every write route requires a token.
import { expect, test } from "bun:test";
import type { RouteSpec } from "../../src/http/route.ts";
import { adminRoutes } from "../../src/http/routes/admin.ts";
import { blobRoutes } from "../../src/http/routes/blobs.ts";
import { listRoutes } from "../../src/http/routes/list.ts";
import { metricsRoutes } from "../../src/http/routes/metrics.ts";
import { reportRoutes } from "../../src/http/routes/report.ts";
import { uploadRoutes } from "../../src/http/routes/upload.ts";
import type { BlobService } from "../../src/services/blobs.ts";
import type { ReportService } from "../../src/services/reports.ts";
import type { UploadService } from "../../src/services/upload.ts";

test("STYLE rule 4: a route without an auth statement does not compile", () => {
  // @ts-expect-error: `auth` is required; omitting it must be a type error
  const unstated: RouteSpec = {
    method: "GET",
    path: "/x",
    name: "x",
    handle: () => new Response(),
  };
  expect(unstated.auth).toBeUndefined();
});

test("STYLE rule 4: every write route requires a token, whatever the read settings", () => {
  // The route tables are built from plain values; the services are never called here.
  const blobs = {} as BlobService;
  const uploads = {} as UploadService;
  const reports = {} as ReportService;
  const publicBaseUrl = () => "http://localhost";
  const routes: RouteSpec[] = [
    ...uploadRoutes({ uploads, publicBaseUrl, requireAuth: true, onStored: () => undefined }),
    ...listRoutes({ blobs, publicBaseUrl, requireAuth: false, ownOnly: false }),
    ...blobRoutes({ blobs, requireAuthForGet: false, deleteEnabled: true }),
    ...metricsRoutes({ token: "", contentType: "text/plain", render: async () => "" }),
    ...reportRoutes({ reports, maxBytes: 1, tosText: "" }),
    ...adminRoutes({ reports, token: "secret" }),
  ];
  const isWrite = (route: RouteSpec) => route.method === "PUT" || route.method === "DELETE";
  // PUT /report carries its own signed event (blossom.md §11); the admin API a bearer token.
  const ownAuth = (route: RouteSpec) =>
    route.path === "/report" || route.path.startsWith("/admin/");
  const writes = routes.filter((route) => isWrite(route) && !ownAuth(route));
  expect(writes.map((route) => `${route.method} ${route.path}`).sort()).toEqual([
    "DELETE /:blob",
    "PUT /upload",
  ]);
  for (const route of routes.filter((r) => r.path.startsWith("/admin/"))) {
    expect(route.auth).toEqual({ bearerToken: "secret" });
  }
  for (const route of writes) {
    expect({ route: route.path, auth: route.auth }).toEqual({
      route: route.path,
      auth: expect.objectContaining({ required: true, x: "required" }),
    });
  }
  const publicRoutes = routes
    .filter((route) => route.auth === "public")
    .map((r) => `${r.method} ${r.path}`);
  expect(publicRoutes.sort()).toEqual(["GET /metrics", "GET /tos", "PUT /report"]);
});
