/**
 * npm run bench [-- section…] — prints throughput figures beside a reference
 * measured in the same process, and their ratio. Not a test: nothing here
 * fails on a slow machine; the figures go into the closing notes.
 */
import { benchAccrual } from "./accrual.js";
import { benchBroadcast } from "./broadcast.js";
import { benchCard } from "./card.js";
import { benchChallenges } from "./challenges.js";
import { benchHistory } from "./history.js";
import { benchIndexes } from "./indexes.js";
import { benchJobs } from "./jobs.js";
import { benchMetrics } from "./metrics.js";
import { benchOffers } from "./offers.js";
import { benchPos } from "./pos.js";
import { benchScaleCard, benchScaleExpiry, benchScalePos } from "./scale.js";
import { benchStart } from "./start.js";
import { benchStores } from "./stores.js";

const sections: Record<string, () => Promise<void>> = {
  accrual: () => benchAccrual(process.env.TEST_DATABASE_URL),
  stores: () => benchStores(),
  card: () => benchCard(process.env.TEST_DATABASE_URL),
  pos: () => benchPos(process.env.TEST_DATABASE_URL),
  jobs: () => benchJobs(process.env.TEST_DATABASE_URL),
  history: () => benchHistory(process.env.TEST_DATABASE_URL),
  indexes: () => benchIndexes(process.env.TEST_DATABASE_URL),
  start: () => benchStart(),
  broadcast: () => benchBroadcast(process.env.TEST_DATABASE_URL),
  metrics: () => benchMetrics(process.env.TEST_DATABASE_URL),
  challenges: () => benchChallenges(process.env.TEST_DATABASE_URL),
  // Issue 14: only with BENCH_DATABASE_URL (the 1,000,000-member chain), so not in the default run.
  "scale-expiry": () => benchScaleExpiry(),
  "scale-card": () => benchScaleCard(),
  "scale-pos": () => benchScalePos(),
  offers: () => benchOffers(process.env.TEST_DATABASE_URL),
};
const optIn = new Set(["scale-expiry", "scale-card", "scale-pos"]);

const wanted = process.argv.slice(2).filter((a) => a !== "--");
const unknown = wanted.filter((w) => !(w in sections));
if (unknown.length) {
  console.error(`unknown section(s): ${unknown.join(", ")}; known: ${Object.keys(sections).join(", ")}`);
  process.exit(2);
}
console.log(`Kopilka benchmarks — node ${process.version}, ${new Date().toISOString()}`);
for (const name of wanted.length ? wanted : Object.keys(sections).filter((s) => !optIn.has(s)))
  await sections[name]?.();
// Always exit, whatever a section left open (pools, sockets, timers): the figures are printed.
process.exit(0);
