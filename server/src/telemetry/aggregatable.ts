/**
 * Largest magnitude a stored value may have to take part in an average or a sum. Every
 * catalogue bound is far below it (docs/device-payloads.md), and a sum of a million values
 * this large still fits a float8 by orders of magnitude: what lies beyond came before the
 * bounds or was written into the table by hand, and would overflow PostgreSQL's `avg`/`sum`
 * (or not even cast to float8) for the whole statement. Aggregates leave such values out and
 * say how many they left out.
 */
export const MAX_AGGREGATE_MAGNITUDE = 1e15;

/**
 * SQL for a jsonb value as float8 when it is a number small enough to aggregate, else null.
 * The numeric cast never fails for a jsonb number, whatever its size; the float8 cast happens
 * only inside the bound.
 */
export function aggregatableNumber(jsonb: string): string {
  return `CASE WHEN jsonb_typeof(${jsonb}) = 'number' AND abs((${jsonb})::numeric) <= ${MAX_AGGREGATE_MAGNITUDE}
               THEN (${jsonb})::float8 END`;
}

/** SQL: the jsonb value is a number, whether or not it can be aggregated. */
export function isJsonNumber(jsonb: string): string {
  return `jsonb_typeof(${jsonb}) = 'number'`;
}

/** SQL: a float8 that can be aggregated (false for NaN and ±Infinity, which float8 columns can hold). */
export function aggregatableFloat(column: string): string {
  return `abs(${column}) <= ${MAX_AGGREGATE_MAGNITUDE}`;
}
