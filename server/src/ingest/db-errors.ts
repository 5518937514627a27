/**
 * Is this database error about the database (down, restarting, overloaded: retry the same
 * batch later) rather than about the rows (a value it will never accept: split the batch
 * and dead-letter the culprit)? Errors without a SQLSTATE come from the network or the pool.
 */
export function isTransientDbError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  const sqlClass = code.slice(0, 2);
  // 08 connection, 40 serialization/deadlock, 53 resources, 55 lock/object in use,
  // 57 operator intervention (shutdown), 58 system error, XX internal, 25 transaction state.
  return ['08', '25', '40', '53', '55', '57', '58', 'XX'].includes(sqlClass);
}
