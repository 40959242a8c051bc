import { DomainError } from "../../domain/index.js";
import { sql } from "../db/sql.js";
import type { ServiceContext } from "../services/context.js";
import { type Segment, segmentSchema, segmentWhere } from "./segments.js";

export interface SavedSegment {
  id: number;
  name: string;
  segment: Segment;
  /** Members it reaches now (reachable, not in the holdout; the control group is drawn from them). */
  members: number;
}

const invalid = (message: string) => new DomainError("INPUT.INVALID", message, {});

/** A segment as posted: its form checked here, so a bad one is refused before anything is stored. */
export function parseSegment(input: unknown): Segment {
  const r = segmentSchema.safeParse(input ?? { kind: "all" });
  if (!r.success)
    throw invalid(`segment: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return r.data;
}

/**
 * Named segments a marketer defines once and reuses, in Telegram and over
 * the API. A broadcast copies the definition when it is created (a saved
 * segment edited later never changes who an earlier broadcast was for).
 */
export function createSegmentLibrary(ctx: ServiceContext) {
  const { db, program } = ctx;

  async function count(segment: Segment): Promise<number> {
    const [r] = await db.unitOfWork((tx) =>
      tx.many<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM "Member" m WHERE ${segmentWhere(segment, program, ctx.now())}`,
      ),
    );
    return r?.n ?? 0;
  }

  /** Defines (or redefines, by name) a segment; answers it with its live count. */
  async function define(name: string, input: unknown, createdBy: string | null = null): Promise<SavedSegment> {
    const clean = name.trim();
    if (!clean || clean.length > 120) throw invalid("name: 1 to 120 characters");
    const segment = parseSegment(input);
    const now = ctx.now();
    const row = await db.unitOfWork((tx) =>
      tx.one<{ id: number }>(sql`
        INSERT INTO "Segment" (name, definition, "createdBy", "createdAt", "updatedAt")
        VALUES (${clean}, ${JSON.stringify(segment)}::jsonb, ${createdBy}, ${now}::timestamp, ${now}::timestamp)
        ON CONFLICT (name) DO UPDATE SET definition = EXCLUDED.definition, "updatedAt" = EXCLUDED."updatedAt"
        RETURNING id`),
    );
    return { id: row?.id as number, name: clean, segment, members: await count(segment) };
  }

  async function get(id: number): Promise<SavedSegment> {
    const row = await db.unitOfWork((tx) =>
      tx.one<{ id: number; name: string; definition: unknown }>(
        sql`SELECT id, name, definition FROM "Segment" WHERE id = ${id}`,
      ),
    );
    if (!row) throw new DomainError("SEGMENT.NOT_FOUND", `no segment ${id}`, { id });
    const segment = parseSegment(row.definition);
    return { id: row.id, name: row.name, segment, members: await count(segment) };
  }

  /** Every saved segment with its live count, by name. */
  async function list(): Promise<SavedSegment[]> {
    const rows = await db.unitOfWork((tx) =>
      tx.many<{ id: number; name: string; definition: unknown }>(
        sql`SELECT id, name, definition FROM "Segment" ORDER BY name`,
      ),
    );
    const out: SavedSegment[] = [];
    for (const r of rows) {
      const segment = parseSegment(r.definition);
      out.push({ id: r.id, name: r.name, segment, members: await count(segment) });
    }
    return out;
  }

  /** A posted segment, or `{ kind: "saved", id }` → the saved definition. */
  async function resolve(input: unknown): Promise<Segment> {
    const ref = input as { kind?: unknown; id?: unknown } | null | undefined;
    if (ref?.kind === "saved") {
      if (typeof ref.id !== "number" || !Number.isInteger(ref.id)) throw invalid("segment.id: a saved segment's id");
      return (await get(ref.id)).segment;
    }
    return parseSegment(input);
  }

  return { define, get, list, count: async (input: unknown) => count(await resolve(input)), resolve };
}
export type SegmentLibrary = ReturnType<typeof createSegmentLibrary>;
