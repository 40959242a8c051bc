/**
 * A timestamp(3) or date as PostgreSQL's JSON renders it ("2026-03-01T10:00:00.5",
 * "1990-03-25"): stored in UTC without a zone, so read as UTC. (The pg driver
 * would read a bare timestamp column in the process's local zone.)
 */
export function utcFromJson(s: string): Date {
  if (/^\d{4}-\d\d-\d\d$/.test(s)) return new Date(`${s}T00:00:00Z`);
  return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(s) ? s : `${s}Z`);
}
