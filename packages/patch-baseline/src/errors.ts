/** Bad baseline input. `code` is the SSM error the control plane answers with (`ValidationException`). */
export class PatchBaselineError extends Error {
  readonly code: 'ValidationException' | 'UnsupportedOperatingSystem';
  constructor(message: string, code: 'ValidationException' | 'UnsupportedOperatingSystem' = 'ValidationException') {
    super(message);
    this.name = 'PatchBaselineError';
    this.code = code;
  }
}
