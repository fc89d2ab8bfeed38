// Request ids: cheap, unique per process, and an incoming X-Request-Id when it is safe to echo.

const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function createRequestIdGenerator(): { next(): string } {
  const prefix = crypto.getRandomValues(new Uint32Array(1))[0]?.toString(36) ?? "0";
  let counter = 0;
  return { next: () => `${prefix}-${(counter++).toString(36)}` };
}

export function acceptRequestId(header: string | null): string | null {
  return header !== null && SAFE_ID.test(header) ? header : null;
}
