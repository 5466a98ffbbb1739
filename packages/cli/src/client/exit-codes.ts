/** `tender`'s exit codes, for scripts. oclif itself uses 2 for bad usage (unknown flag, missing argument). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** The API answered with an error (AccessDenied, InvalidInstanceId, ...). */
  apiError: 3,
  /** The control plane could not be reached. */
  unreachable: 4,
  /** `tender audit --verify` found the trail tampered with. */
  tampered: 5,
} as const;
