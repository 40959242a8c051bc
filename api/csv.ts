/**
 * Metrics as CSV for a spreadsheet: a list of records becomes one row each
 * (nested fields flattened as a.b, arrays as a.0, a.1 …); a single record
 * becomes "metric,value" rows.
 */
type Flat = Record<string, string | number | boolean | null>;

function flatten(v: unknown, prefix = "", out: Flat = {}): Flat {
  if (v instanceof Date) out[prefix] = v.toISOString();
  else if (Array.isArray(v) || (v !== null && typeof v === "object")) {
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (const [k, x] of entries) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = (v ?? null) as Flat[string];
  return out;
}

function cell(v: Flat[string] | undefined): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(data: unknown): string {
  const rowsIn = Array.isArray(data) ? data.map((d) => flatten(d)) : null;
  if (rowsIn) {
    const cols = [...new Set(rowsIn.flatMap((r) => Object.keys(r)))];
    return (
      [cols.map(cell).join(","), ...rowsIn.map((r) => cols.map((c) => cell(r[c])).join(","))].join("\r\n") + "\r\n"
    );
  }
  const flat = flatten(data);
  return ["metric,value", ...Object.entries(flat).map(([k, v]) => `${cell(k)},${cell(v)}`)].join("\r\n") + "\r\n";
}
