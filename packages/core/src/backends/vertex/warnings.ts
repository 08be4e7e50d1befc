/** Something that will not stop the job but that the user should know before paying for it. */
export interface PreflightWarning {
  /** The option or flag concerned. */
  readonly field: string;
  /** What to know, and what to do if it is not what was meant. */
  readonly message: string;
}
