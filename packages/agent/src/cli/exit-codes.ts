// The CLI's exit codes: a contract documented in docs/cli.md.
export const EXIT = {
  /** The command did what was asked. */
  ok: 0,
  /** The command ran but failed (a credential test that did not log in, a scan that failed). */
  failed: 1,
  /** Bad usage: unknown command or option, malformed target, missing argument. Nothing was done. */
  usage: 2,
  /** Stored data cannot be read: a tampered vault, a wrong key, a corrupt file. Nothing was changed. */
  data: 3,
  /** An unexpected internal error (a bug): please report it. */
  internal: 70,
  /** Interrupted (Ctrl-C / SIGTERM); what was found so far was still written. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
