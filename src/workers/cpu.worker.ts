// The worker entry: task name → handler. Knows nothing of HTTP, the index or storage.
import { describeFrame, optimizeImage } from "../media/image.ts";
import { MediaError } from "../media/media-error.ts";
import { verifySignature } from "../protocol/nostr-event.ts";
import type { TaskInput, TaskName, TaskOutput, TaskRequest, WorkerReply } from "./tasks.ts";

declare const self: Worker;

const handlers: {
  [N in TaskName]: (input: TaskInput<N>) => TaskOutput<N> | Promise<TaskOutput<N>>;
} = {
  verifySignatures: (checks) => checks.map((check) => verifySignature(check)),
  optimizeImage: ({ bytes, options }) => optimizeImage(bytes, options),
  describeFrame: ({ bytes, options }) => describeFrame(bytes, options),
  ping: (value) => value,
};

async function handle(request: TaskRequest): Promise<WorkerReply> {
  try {
    const handler = handlers[request.name] as (input: unknown) => unknown;
    return { kind: "result", taskId: request.taskId, output: await handler(request.input) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof MediaError)
      return { kind: "error", taskId: request.taskId, message, code: error.code };
    return { kind: "error", taskId: request.taskId, message };
  }
}

self.onmessage = async (event: MessageEvent<TaskRequest>) => {
  self.postMessage((await handle(event.data)) satisfies WorkerReply);
};
self.postMessage({ kind: "ready" } satisfies WorkerReply);
