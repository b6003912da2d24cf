import type Docker from "dockerode";

/** One JSON line of a build, pull or load response. */
export interface ProgressEvent {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: unknown;
}

/** The error an event reports, if it reports one: the engine says so in-band, with HTTP 200. */
export function progressError(event: ProgressEvent): string | undefined {
  const message = event.errorDetail?.message ?? event.error;
  return message === undefined ? undefined : message.trim() || "unknown error";
}

/**
 * Resolve when the engine's progress stream ends; reject when the stream
 * breaks. In-band errors are passed to `onEvent` like any other event.
 */
export function followProgress(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  onEvent: (event: ProgressEvent) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (event: ProgressEvent) => onEvent(event),
    );
  });
}
