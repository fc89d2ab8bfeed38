// Media failures a client caused; they cross the worker boundary as a code and a public reason.
// The codes are members of the protocol's ErrorCode vocabulary (media/ may not import protocol/).

export type MediaErrorCode = "unsupported_type" | "too_large" | "unprocessable_media" | "busy";

export class MediaError extends Error {
  override readonly name = "MediaError";

  constructor(
    readonly code: MediaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
