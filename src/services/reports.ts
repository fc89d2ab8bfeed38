// BUD-09: storing reports (P-20) and the operator's actions on them: dismiss, delete, ban (B09-05).
import type { MetadataStore, ReportRecord } from "../metadata/metadata-store.ts";
import { BlossomError, orThrow } from "../protocol/errors.ts";
import type { NostrEvent } from "../protocol/nostr-event.ts";
import { parseReport, type ReportedBlob } from "../protocol/report.ts";
import type { BlobStore, Sha256 } from "../storage/blob-store.ts";
import type { Clock } from "../util/clock.ts";
import type { KeyedMutex } from "../util/keyed-mutex.ts";

export interface ReportService {
  /** Verifies and stores a report; 404 when none of its blobs is stored here (P-20). */
  submit(json: unknown): Promise<{ received: number }>;
  list(limit: number): Promise<ReportRecord[]>;
  dismiss(eventId: string): Promise<number>;
  /** Removes the blob for every owner, and its reports. */
  remove(sha256: Sha256): Promise<void>;
  /** Removes the blob and refuses it forever after (B09-05). */
  ban(sha256: Sha256, reason: string): Promise<void>;
}

export interface ReportDeps {
  readonly metadata: MetadataStore;
  readonly store: BlobStore;
  readonly locks: KeyedMutex;
  readonly clock: Clock;
  readonly verifySignature: (event: NostrEvent) => Promise<boolean>;
  readonly perPubkeyPerHour: number;
}

const HOUR_SEC = 3600;

/** A fixed hourly window per reporter; the map is cleared when the hour turns. */
function createHourlyLimit(perHour: number, nowSec: () => number) {
  let hour = -1;
  const counts = new Map<string, number>();
  return (key: string): void => {
    const current = Math.floor(nowSec() / HOUR_SEC);
    if (current !== hour) {
      hour = current;
      counts.clear();
    }
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    if (count > perHour) {
      const retryAfterSec = (current + 1) * HOUR_SEC - nowSec();
      throw new BlossomError("rate_limited", "too many reports, retry later", { retryAfterSec });
    }
  };
}

export function createReportService(deps: ReportDeps): ReportService {
  const { metadata, store, locks, clock } = deps;
  const countReport = createHourlyLimit(deps.perPubkeyPerHour, () => clock.nowSec());

  const remove = (sha256: Sha256) =>
    locks.run(sha256, async () => {
      await metadata.forgetBlob(sha256);
      await store.delete(sha256);
      await metadata.dismissReports({ sha256 });
    });

  return {
    async submit(json) {
      const { report } = orThrow(parseReport(json));
      if (!(await deps.verifySignature(report.event))) {
        throw new BlossomError("bad_request", "report signature is invalid"); // P-20
      }
      countReport(report.event.pubkey);
      const stored: ReportedBlob[] = [];
      for (const blob of report.blobs)
        if ((await metadata.getBlob(blob.sha256)) !== null) stored.push(blob);
      if (stored.length === 0)
        throw new BlossomError("not_found", "none of the reported blobs is stored here");
      const receivedSec = clock.nowSec();
      const { id, pubkey, content } = report.event;
      const rows = stored.map(({ sha256, type }) => ({
        eventId: id,
        sha256,
        reporter: pubkey,
        type,
        content,
        receivedSec,
      }));
      await metadata.addReports(rows); // idempotent on (event, blob)
      return { received: rows.length };
    },
    list: (limit) => metadata.listReports(limit),
    dismiss: (eventId) => metadata.dismissReports({ eventId }),
    remove,
    async ban(sha256, reason) {
      await metadata.ban(sha256, reason, clock.nowSec());
      await remove(sha256);
    },
  };
}
