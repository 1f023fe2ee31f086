// Where a shell writes: a stream, a file descriptor, or a buffer in tests and quiet steps.
export interface Sink {
  write(text: string): unknown;
  isTTY?: boolean;
}
