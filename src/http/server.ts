// The HTTP app: routes from every feature, preflight on any path, 404/405, one error handler.
import { Elysia } from "elysia";
import { BlossomError } from "../protocol/errors.ts";
import { preflightResponse } from "./cors.ts";
import { bunRoutes, type RouteDeps, type RouteSpec, registerRoutes } from "./route.ts";

export interface HttpAppOptions {
  readonly routes: readonly RouteSpec[];
  readonly routeDeps: RouteDeps;
}

function pathPattern(path: string): RegExp {
  const source = path
    .split("/")
    .map((segment) =>
      segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("/");
  return new RegExp(`^${source}$`);
}

/**
 * The methods some route accepts on this path; empty when no route knows the path. A fixed path
 * is routed before a pattern (`/upload` is never a blob), so it alone says what is allowed there.
 */
function allowedMethods(routes: readonly RouteSpec[], pathname: string): string[] {
  const fixed = routes.filter((r) => r.path === pathname);
  const matching =
    fixed.length > 0 ? fixed : routes.filter((r) => pathPattern(r.path).test(pathname));
  return [...new Set(matching.map((r) => r.method))];
}

function unmatched(routes: readonly RouteSpec[], request: Request): BlossomError {
  const allow = allowedMethods(routes, new URL(request.url).pathname);
  if (allow.length === 0) return new BlossomError("not_found", "not found");
  return new BlossomError("method_not_allowed", `method ${request.method} not allowed here`, {
    allow: [...allow, "OPTIONS"],
  });
}

const METHODS = ["GET", "HEAD", "PUT", "DELETE"] as const;

/** Fixed paths answer 405 with Allow for the methods they do not serve (not the blob pattern). */
function methodNotAllowedRoutes(routes: readonly RouteSpec[]): RouteSpec[] {
  const fixedPaths = [...new Set(routes.map((r) => r.path).filter((path) => !path.includes(":")))];
  return fixedPaths.flatMap((path) => {
    const allow = routes.filter((r) => r.path === path).map((r) => r.method);
    return METHODS.filter((method) => !allow.includes(method)).map(
      (method): RouteSpec => ({
        method,
        path,
        name: "method_not_allowed",
        auth: "public",
        handle: () => {
          throw new BlossomError("method_not_allowed", `method ${method} not allowed here`, {
            allow: [...allow, "OPTIONS"],
          });
        },
      }),
    );
  });
}

export function createHttpApp(options: HttpAppOptions): Elysia {
  const routeDeps = options.routeDeps;
  const routes = [...options.routes, ...methodNotAllowedRoutes(options.routes)];
  // Elysia's Bun adapter merges these into Bun.serve's routes, over its own for the same path.
  const app = new Elysia({
    normalize: false,
    serve: { routes: bunRoutes(routes, routeDeps) },
  });
  app.onError({ as: "global" }, ({ code, error, request }) => {
    const failure =
      code === "NOT_FOUND"
        ? unmatched(options.routes, request) // not the 405 routes: Allow names what is served
        : code === "PARSE" || code === "VALIDATION"
          ? new BlossomError("bad_request", "malformed request")
          : new BlossomError("internal", "internal error", {}, { cause: error });
    const response = routeDeps.errorResponse(failure, request.method);
    const requestId = routeDeps.nextRequestId(request.headers.get("x-request-id"));
    response.headers.set("X-Request-Id", requestId);
    routeDeps.onRequestDone({
      route: "unmatched",
      method: request.method,
      status: response.status,
      durationMs: 0,
      requestId,
      error: failure,
      responseBytes: 0,
      clientIp: null,
    });
    return response;
  });
  app.options("/*", () => preflightResponse()); // P-04
  app.options("/", () => preflightResponse());
  return registerRoutes(app, routes, routeDeps);
}
