/** Exit codes: 0 nothing found, 1 findings at or above the threshold, 2 usage, configuration or I/O error. */
export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

/** An error the user caused (bad argument, unknown rule): printed without a stack, exit 2. */
export class UsageError extends Error {}
