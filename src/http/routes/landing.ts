// GET / and HEAD / (P-28): who we are, for browsers (HTML) and programs (JSON).
import type { RouteSpec } from "../route.ts";

export interface ServerInfo {
  readonly name: string;
  readonly version: string;
  readonly buds: readonly string[];
  readonly publicUrl: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function landingHtml(info: ServerInfo): string {
  const buds = info.buds.map((bud) => `<li>${escapeHtml(bud)}</li>`).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(info.name)}</title></head><body><h1>${escapeHtml(info.name)} ${escapeHtml(info.version)}</h1><p>A <a href="https://github.com/hzrd149/blossom">Blossom</a> server. Blobs live at <code>${escapeHtml(info.publicUrl)}/&lt;sha256&gt;</code>.</p><h2>Supported</h2><ul>${buds}</ul></body></html>`;
}

function wantsJson(request: Request): boolean {
  const accept = request.headers.get("accept") ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

/** `info` is read per request: the public URL is known only once the port is bound. */
export function landingRoutes(info: () => ServerInfo): RouteSpec[] {
  const render = (request: Request): Response =>
    wantsJson(request)
      ? Response.json(info())
      : new Response(landingHtml(info()), {
          headers: {
            "Content-Type": "text/html; charset=utf-8",
            "X-Content-Type-Options": "nosniff",
          },
        });
  return [
    { method: "GET", path: "/", name: "landing", auth: "public", handle: (i) => render(i.request) },
    {
      method: "HEAD",
      path: "/",
      name: "landing",
      auth: "public",
      handle: ({ request }) => {
        const response = render(request);
        return new Response(null, { status: 200, headers: response.headers });
      },
    },
  ];
}
