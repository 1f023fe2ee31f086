// Where a shell writes: a stream, a file descriptor, or a buffer in tests and quiet steps.
export interface Sink {
  write(text: string): unknown;
  isTTY?: boolean;
  /** The terminal's width when it is not this process's own (the warm helper writes for its caller). */
  columns?: number;
}
