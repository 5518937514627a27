import { type Static, Type } from 'typebox';

/**
 * Text an API takes from people: bounded, and without control characters, which a screen
 * cannot show and PostgreSQL cannot store (NUL). A remark may span lines.
 */
export const SINGLE_LINE_PATTERN = '^[^\\u0000-\\u001F\\u007F]*$';
/** Tab, line feed and carriage return are allowed. */
export const MULTI_LINE_PATTERN = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';

/** A name, an id, a search term: one line, at most `maxLength` characters. */
export const SingleLine = (opts: { minLength?: number; maxLength: number; description?: string }) =>
  Type.String({ ...opts, pattern: SINGLE_LINE_PATTERN });

/** A remark or comment: lines allowed, at most `maxLength` characters. */
export const MultiLine = (opts: { minLength?: number; maxLength: number; description?: string }) =>
  Type.String({ ...opts, pattern: MULTI_LINE_PATTERN });

/** Longest acknowledge or resolve remark. */
export const REMARK_MAX = 1000;

/** Socket.IO `alert:ack` request (the REST route takes the same remark). */
export const AckRequest = Type.Object(
  {
    id: SingleLine({ minLength: 1, maxLength: 64 }),
    remark: Type.Optional(MultiLine({ maxLength: REMARK_MAX })),
  },
  { additionalProperties: false },
);
export type AckRequest = Static<typeof AckRequest>;

/** Why a value breaks one of these schemas, in words (for a pattern: which characters). */
export function describeTextProblem(pattern: string | undefined): string | null {
  if (pattern === SINGLE_LINE_PATTERN) return 'must not contain control characters (NUL, line breaks, …)';
  if (pattern === MULTI_LINE_PATTERN)
    return 'must not contain control characters other than tab and line breaks';
  return null;
}
