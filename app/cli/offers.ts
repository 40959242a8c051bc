import { readFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { isDomainError } from "../../domain/index.js";
import type { Services } from "../services/index.js";

export const offersUsage =
  "offers list | offers create <offer.json> | offers show <id> | offers preview <id> | offers start|pause|end <id> | offers audit <id>";

/**
 * `npm run cli -- offers …`: the marketer's offers from a terminal, the same
 * use cases as /api/v1/admin/offers, audited as `cli:<os user>`. Answers the
 * exit code, or null when the arguments are not an offers command.
 */
export async function offersCommand(s: Services, argv: string[]): Promise<number | null> {
  try {
    return await run(s, argv);
  } catch (e) {
    if (!isDomainError(e)) throw e;
    console.error(`${e.code}: ${e.message}`);
    return 1;
  }
}

async function run(s: Services, argv: string[]): Promise<number | null> {
  const [a, b, c] = argv;
  if (a !== "offers") return null;
  const actor = `cli:${userInfo().username}`;
  const id = c && /^\d+$/.test(c) ? Number(c) : null;
  const print = (v: unknown) => console.log(JSON.stringify(v, null, 2));
  if (b === "list" && argv.length === 2) {
    for (const o of await s.offers.list())
      console.log(
        `${o.id}\t${o.status}\t${o.title.ru}\t${o.startsAt.toISOString()} – ${o.endsAt.toISOString()}\tspent ${o.spentPoints}${o.budgetPoints !== null ? `/${o.budgetPoints}` : ""}`,
      );
    return 0;
  }
  if (b === "create" && c && argv.length === 3) {
    const o = await s.offers.create(JSON.parse(await readFile(c, "utf8")), actor);
    console.log(`offer ${o.id} created as a draft`);
    return 0;
  }
  if (id === null || argv.length !== 3) return null;
  if (b === "show") print(await s.offers.get(id));
  else if (b === "preview") print(await s.offers.preview(id));
  else if (b === "audit") print(await s.offers.history(id));
  else if (b === "start" || b === "pause" || b === "end") {
    const o = await s.offers[b](id, actor);
    console.log(`offer ${o.id}: ${o.status}`);
  } else return null;
  return 0;
}
