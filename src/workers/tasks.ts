// The messages between the CPU pool and its workers: one entry per task (STYLE §3.8).
import type { FrameResult, ImageOptions, ImageResult } from "../media/image.ts";
import type { MediaErrorCode } from "../media/media-error.ts";

export interface SignatureCheck {
  readonly id: string;
  readonly pubkey: string;
  readonly sig: string;
}

export interface TaskTable {
  /** BIP-340 verification of a batch of event signatures. */
  verifySignatures: { input: readonly SignatureCheck[]; output: boolean[] };
  /** BUD-05: optimise an image; the input buffer is transferred, not copied. */
  optimizeImage: { input: { bytes: Uint8Array; options: ImageOptions }; output: ImageResult };
  /** BUD-05 video: the frame ffmpeg extracted → its size, a thumbnail and a blurhash. */
  describeFrame: { input: { bytes: Uint8Array; options: ImageOptions }; output: FrameResult };
  /** Round trip without work: for tests and benchmarks. */
  ping: { input: number; output: number };
}

export type TaskName = keyof TaskTable;
export type TaskInput<N extends TaskName> = TaskTable[N]["input"];
export type TaskOutput<N extends TaskName> = TaskTable[N]["output"];

export interface TaskRequest<N extends TaskName = TaskName> {
  readonly taskId: number;
  readonly name: N;
  readonly input: TaskInput<N>;
}

export type WorkerReply =
  | { readonly kind: "ready" }
  | { readonly kind: "result"; readonly taskId: number; readonly output: unknown }
  | {
      readonly kind: "error";
      readonly taskId: number;
      readonly message: string;
      /** Set when the failure is the client's (an ErrorCode); otherwise an internal error. */
      readonly code?: MediaErrorCode;
    };
