// CORS on every response, errors included (B01-02, P-03), and the preflight answer (B01-03, P-04).

const EXPOSED_HEADERS = [
  "X-Reason",
  "Content-Length",
  "Content-Range",
  "Accept-Ranges",
  "Sunset",
  "X-Cashu",
  "X-Lightning",
  "ETag",
  "X-Request-Id",
].join(", ");

/** Adds the headers every response carries. Never reflects Origin, never allows credentials. */
export function addCorsHeaders(headers: Headers): Headers {
  headers.set("Access-Control-Allow-Origin", "*"); // B01-02
  headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS); // P-03
  return headers;
}

/** 204 for OPTIONS on any path, without auth (P-04). */
export function preflightResponse(): Response {
  const headers = addCorsHeaders(new Headers());
  headers.set("Access-Control-Allow-Headers", "Authorization, *"); // B01-03: * does not cover it
  headers.set("Access-Control-Allow-Methods", "GET, HEAD, PUT, DELETE, OPTIONS"); // B01-03
  headers.set("Access-Control-Max-Age", "86400"); // B01-04
  return new Response(null, { status: 204, headers });
}
