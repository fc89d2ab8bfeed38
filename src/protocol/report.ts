// BUD-09 reports: a signed NIP-56 kind-1984 event naming blobs in `x` tags (B09-01, P-20, N56).
import { type Checked, reject } from "./errors.ts";
import { hasValidId, type NostrEvent, parseEventShape } from "./nostr-event.ts";
import { isSha256, type Sha256 } from "./sha256.ts";

export const REPORT_KIND = 1984;
const REPORT_TYPES = new Set([
  "nudity",
  "malware",
  "profanity",
  "illegal",
  "spam",
  "impersonation",
  "other",
]);
const MAX_REPORTED_BLOBS = 100;

export interface ReportedBlob {
  readonly sha256: Sha256;
  /** NIP-56 report type; null when missing or unknown (N56-03). */
  readonly type: string | null;
}

export interface BlobReport {
  readonly event: NostrEvent;
  readonly blobs: readonly ReportedBlob[];
}

/** Shape, kind, id and x tags; the signature is checked by the caller (it may use the pool). */
export function parseReport(json: unknown): Checked<{ report: BlobReport }> {
  const shape = parseEventShape(json);
  if (!shape.ok) return reject("bad_request", `report: ${shape.reason}`);
  const { event } = shape;
  if (event.kind !== REPORT_KIND) return reject("bad_request", "report must be a kind 1984 event"); // B09-01
  if (!hasValidId(event)) return reject("bad_request", "report id does not match its content"); // N01-05
  const blobs = new Map<Sha256, string | null>();
  for (const tag of event.tags) {
    if (tag[0] !== "x" || tag[1] === undefined) continue;
    const sha256 = tag[1].toLowerCase();
    if (!isSha256(sha256)) return reject("bad_request", "report x tags must be 64 hex characters");
    const type = tag[2] !== undefined && REPORT_TYPES.has(tag[2]) ? tag[2] : null; // N56-03
    blobs.set(sha256, type);
  }
  if (blobs.size === 0) return reject("bad_request", "report names no blob in an x tag"); // B09-01
  if (blobs.size > MAX_REPORTED_BLOBS) return reject("bad_request", "report names too many blobs");
  const reported = [...blobs].map(([sha256, type]) => ({ sha256, type }));
  return { ok: true, report: { event, blobs: reported } };
}
