/** @jsxImportSource hono/jsx */
import type { MetricsScope, Services } from "../../app/services/index.js";
import type { Fmt, T } from "./i18n.js";

type M = Services["metrics"];
type Overview = Awaited<ReturnType<M["overview"]>>;
type Kpi = Overview["members"];

const day = (d: Date) => d.toISOString().slice(0, 10);

export function Filters(props: {
  t: T;
  scope: MetricsScope;
  stores: { id: number; name: string; region: string }[];
  tiers: string[];
  action: string;
}) {
  const { t, scope: s, stores } = props;
  const regions = [...new Set(stores.map((x) => x.region))].sort();
  return (
    <form class="filters" method="get" action={props.action}>
      <label>
        {t("filter-from")}
        <input type="date" name="from" value={day(s.from)} />
      </label>
      <label>
        {t("filter-to")}
        <input type="date" name="to" value={day(s.to)} />
      </label>
      <label>
        {t("filter-store")}
        <select name="storeId">
          <option value="">{t("filter-all")}</option>
          {stores.map((x) => (
            <option value={String(x.id)} selected={s.storeId === x.id}>
              {x.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("filter-region")}
        <select name="region">
          <option value="">{t("filter-all")}</option>
          {regions.map((r) => (
            <option value={r} selected={s.region === r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("filter-tier")}
        <select name="tier">
          <option value="">{t("filter-all")}</option>
          {props.tiers.map((c) => (
            <option value={c} selected={s.tierCode === c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("filter-cohort")}
        <input type="month" name="cohort" value={s.cohort ?? ""} />
      </label>
      <button type="submit">{t("filter-apply")}</button>
    </form>
  );
}

function Change(props: { k: Kpi; t: T; f: Fmt }) {
  const c = props.k.change;
  if (c === null) return <span class="d">&nbsp;</span>;
  return (
    <span class={`d ${c > 0 ? "up" : c < 0 ? "down" : ""}`}>
      {c > 0 ? "▲" : c < 0 ? "▼" : "■"} {props.f.pct(Math.abs(c))} {props.t("vs-previous")}
    </span>
  );
}

function KpiCard(props: {
  id: string;
  title: string;
  k: Kpi;
  show: (v: number) => string;
  spark?: (number | null)[];
  /** A second, smaller line under the value. */
  note?: string;
  t: T;
  f: Fmt;
}) {
  const v = props.k.value;
  return (
    <div class="kpi" data-metric={props.id} data-value={v === null ? "" : String(v)}>
      <h3>{props.title}</h3>
      <div class="v">{v === null ? props.t("no-data") : props.show(v)}</div>
      {props.note ? <div class="note">{props.note}</div> : null}
      <Change k={props.k} t={props.t} f={props.f} />
      {props.spark ? <div class="spark" data-spark={JSON.stringify(props.spark)}></div> : null}
    </div>
  );
}

export function OverviewPage(props: { o: Overview; t: T; f: Fmt }) {
  const { o, t, f } = props;
  const pts = (n: number) => t("points", { n: f.int(n), count: n });
  return (
    <div class="kpis">
      <KpiCard
        id="members"
        title={t("kpi-members")}
        k={o.members}
        show={f.int}
        spark={o.series.map((x) => x.members)}
        t={t}
        f={f}
      />
      <KpiCard
        id="activeMembers"
        title={t("kpi-active")}
        k={o.activeMembers}
        show={f.int}
        spark={o.series.map((x) => x.active)}
        t={t}
        f={f}
      />
      <KpiCard id="newMembers" title={t("kpi-new")} k={o.newMembers} show={f.int} t={t} f={f} />
      <KpiCard
        id="nps"
        title={t("kpi-nps")}
        k={o.nps}
        show={(v) => f.dec(v)}
        spark={o.series.map((x) => x.nps)}
        t={t}
        f={f}
      />
      <KpiCard
        id="repurchaseRate"
        title={t("kpi-repurchase")}
        k={o.repurchaseRate}
        show={f.pct}
        spark={o.series.map((x) => x.repurchaseRate)}
        t={t}
        f={f}
      />
      <KpiCard id="retention" title={t("kpi-retention")} k={o.retention} show={f.pct} t={t} f={f} />
      <KpiCard
        id="liabilityKopecks"
        title={t("kpi-liability")}
        k={o.liabilityKopecks}
        show={f.rub}
        note={pts(o.outstandingPoints.value ?? 0)}
        spark={o.series.map((x) => x.outstandingPoints)}
        t={t}
        f={f}
      />
      <KpiCard id="averageBasketKopecks" title={t("kpi-basket")} k={o.averageBasketKopecks} show={f.rub} t={t} f={f} />
    </div>
  );
}

/** Cell colour from 0 % (white) to 100 % (the accent). */
const heat = (p: number | null) => (p === null ? "" : `background: hsl(153 63% ${Math.round(97 - p * 0.55)}%)`);

export function CohortsPage(props: { rows: Awaited<ReturnType<M["cohorts"]>>; t: T; f: Fmt }) {
  const { rows, t, f } = props;
  const width = Math.max(0, ...rows.map((r) => r.retention.length));
  return (
    <section>
      <h2>{t("cohorts-title")}</h2>
      <p class="muted">{t("cohorts-hint")}</p>
      {rows.length === 0 ? (
        <p class="muted">{t("no-data")}</p>
      ) : (
        <table id="cohorts">
          <tr>
            <th>{t("cohort")}</th>
            <th>{t("size")}</th>
            {Array.from({ length: width }, (_, i) => (
              <th>+{i}</th>
            ))}
          </tr>
          {rows.map((r) => (
            <tr data-cohort={r.cohort} data-size={String(r.size)}>
              <td>{r.cohort}</td>
              <td>{f.int(r.size)}</td>
              {Array.from({ length: width }, (_, i) => {
                const p = r.retention[i] ?? null;
                return (
                  <td class="heat" style={heat(p)} data-active={String(r.active[i] ?? "")}>
                    {p === null ? "" : f.pct(p)}
                  </td>
                );
              })}
            </tr>
          ))}
        </table>
      )}
    </section>
  );
}

export function NpsPage(props: {
  nps: Awaited<ReturnType<M["nps"]>>;
  storeName: (id: number | null) => string;
  t: T;
  f: Fmt;
}) {
  const { nps, t, f } = props;
  const chart = {
    labels: nps.byMonth.map((m) => m.month),
    series: [{ label: "NPS", values: nps.byMonth.map((m) => m.nps) }],
  };
  const Row = (r: { key: string; x: (typeof nps.byMonth)[number] | (typeof nps.byStore)[number] }) => (
    <tr data-nps={r.x.nps === null ? "" : String(r.x.nps)} data-answers={String(r.x.answers)}>
      <td>{r.key}</td>
      <td>{r.x.nps === null ? "—" : f.dec(r.x.nps)}</td>
      <td>{f.int(r.x.answers)}</td>
      <td>{f.int(r.x.detractors)}</td>
      <td>{f.int(r.x.passives)}</td>
      <td>{f.int(r.x.promoters)}</td>
    </tr>
  );
  const head = (first: string) => (
    <tr>
      <th>{first}</th>
      <th>NPS</th>
      <th>{t("answers")}</th>
      <th>{t("detractors")}</th>
      <th>{t("passives")}</th>
      <th>{t("promoters")}</th>
    </tr>
  );
  return (
    <>
      <section>
        <h2>{t("nps-by-month")}</h2>
        <p data-metric="nps" data-value={nps.overall.nps === null ? "" : String(nps.overall.nps)}>
          NPS: <b>{nps.overall.nps === null ? t("no-data") : f.dec(nps.overall.nps)}</b> ({t("answers")}:{" "}
          {f.int(nps.overall.answers)})
        </p>
        {nps.byMonth.length > 1 ? <div class="chart" data-chart={JSON.stringify(chart)}></div> : null}
        <table id="nps-months">
          {head(t("month"))}
          {nps.byMonth.map((m) => (
            <Row key={m.month} x={m} />
          ))}
        </table>
      </section>
      <section>
        <h2>{t("nps-by-store")}</h2>
        <table id="nps-stores">
          {head(t("store"))}
          {nps.byStore.map((s) => (
            <Row key={props.storeName(s.storeId)} x={s} />
          ))}
        </table>
      </section>
    </>
  );
}

export function StoresPage(props: {
  sales: Awaited<ReturnType<M["salesByStore"]>>;
  nps: Awaited<ReturnType<M["nps"]>>;
  cost: Awaited<ReturnType<M["loyaltyCost"]>>;
  share: Awaited<ReturnType<M["receiptShare"]>>;
  t: T;
  f: Fmt;
}) {
  const { t, f } = props;
  const pctOr = (p: number | null | undefined, dash = "—") => (p === null || p === undefined ? dash : f.pct(p));
  return (
    <>
      <section>
        <h2>{t("nav-stores")}</h2>
        <table id="stores">
          <tr>
            <th>{t("store")}</th>
            <th>{t("region")}</th>
            <th>NPS</th>
            <th>{t("purchases")}</th>
            <th>{t("customers")}</th>
            <th>{t("revenue")}</th>
            <th>{t("loyalty-cost")}</th>
            <th>{t("cost-share")}</th>
            <th>{t("receipt-share")}</th>
          </tr>
          {props.sales.map((s) => {
            const n = props.nps.byStore.find((x) => x.storeId === s.storeId);
            const c = props.cost.find((x) => x.kind === "store" && x.key === String(s.storeId));
            const r = props.share.find((x) => x.storeId === s.storeId);
            return (
              <tr
                data-store={String(s.storeId)}
                data-purchases={String(s.purchases)}
                data-revenue={String(s.revenueKopecks)}
              >
                <td>{s.name}</td>
                <td>{s.region}</td>
                <td>{n?.nps === null || n === undefined ? "—" : f.dec(n.nps)}</td>
                <td>{f.int(s.purchases)}</td>
                <td>{f.int(s.customers)}</td>
                <td>{f.rub(s.revenueKopecks)}</td>
                <td>{c ? f.rub(c.costKopecks) : "—"}</td>
                <td>{pctOr(c?.sharePercent)}</td>
                <td>{r ? pctOr(r.sharePercent) : t("not-reported")}</td>
              </tr>
            );
          })}
        </table>
      </section>
      <section>
        <h2>{t("by-category")}</h2>
        <table id="categories">
          <tr>
            <th>{t("category")}</th>
            <th>{t("loyalty-cost")}</th>
            <th>{t("margin")}</th>
            <th>{t("cost-share")}</th>
          </tr>
          {props.cost
            .filter((c) => c.kind === "category")
            .map((c) => (
              <tr>
                <td>{c.key || t("no-category")}</td>
                <td>{f.rub(c.costKopecks)}</td>
                <td>{f.rub(c.marginKopecks)}</td>
                <td>{pctOr(c.sharePercent)}</td>
              </tr>
            ))}
        </table>
      </section>
    </>
  );
}

export function TiersPage(props: {
  tiers: Awaited<ReturnType<M["tiers"]>>;
  names: Map<string, string>;
  rfm: Awaited<ReturnType<M["rfm"]>>;
  t: T;
  f: Fmt;
}) {
  const { t, f } = props;
  const total = props.tiers.reduce((a, x) => a + x.members, 0);
  return (
    <>
      <section>
        <h2>{t("tiers-title")}</h2>
        <table id="tiers">
          <tr>
            <th>{t("tier")}</th>
            <th>{t("members")}</th>
            <th>%</th>
          </tr>
          {props.tiers.map((x) => (
            <tr data-tier={x.tier} data-members={String(x.members)}>
              <td>{props.names.get(x.tier) ?? x.tier}</td>
              <td>{f.int(x.members)}</td>
              <td>{total ? f.pct((x.members * 100) / total) : "—"}</td>
            </tr>
          ))}
        </table>
      </section>
      <section>
        <h2>{t("rfm-title")}</h2>
        <table id="rfm">
          <tr>
            <th>{t("segment")}</th>
            <th>{t("members")}</th>
          </tr>
          {Object.entries(props.rfm).map(([seg, k]) => (
            <tr data-segment={seg} data-members={String(k)}>
              <td>{t(`rfm-${seg}`)}</td>
              <td>{f.int(k)}</td>
            </tr>
          ))}
        </table>
      </section>
    </>
  );
}

export function MembersPage(props: {
  q: string;
  found: Awaited<ReturnType<Services["support"]["lookup"]>> | undefined;
  t: T;
  f: Fmt;
}) {
  const { t, f, found } = props;
  return (
    <>
      <section>
        <h2>{t("members-title")}</h2>
        <form class="filters" method="get" action="/dashboard/members">
          <label>
            {t("members-query")}
            <input name="q" value={props.q} inputmode="tel" autocomplete="off" />
          </label>
          <button type="submit">{t("members-search")}</button>
        </form>
        {found === null ? <p>{t("members-not-found")}</p> : null}
        {found ? (
          <table id="member" data-member={found.status.memberCode} data-balance={String(found.status.balance)}>
            <tr>
              <th>{t("member-code")}</th>
              <td>{found.status.memberCode}</td>
            </tr>
            <tr>
              <th>{t("member-name")}</th>
              <td>{found.status.name ?? "—"}</td>
            </tr>
            <tr>
              <th>{t("member-status")}</th>
              <td>{t(`status-${found.status.status}`)}</td>
            </tr>
            <tr>
              <th>{t("member-tier")}</th>
              <td>{found.status.tier.name}</td>
            </tr>
            <tr>
              <th>{t("member-balance")}</th>
              <td>{t("points", { n: f.int(found.status.balance), count: found.status.balance })}</td>
            </tr>
            <tr>
              <th>{t("member-enrolled")}</th>
              <td>{f.date(found.enrolledAt)}</td>
            </tr>
          </table>
        ) : null}
      </section>
      {found ? (
        <>
          <section>
            <h2>{t("member-purchases")}</h2>
            <table id="member-purchases">
              <tr>
                <th>{t("at")}</th>
                <th>{t("store")}</th>
                <th>{t("receipt")}</th>
                <th>{t("amount")}</th>
                <th>{t("returned")}</th>
                <th>{t("redeemed")}</th>
                <th>{t("accrued")}</th>
              </tr>
              {found.purchases.map((p) => (
                <tr>
                  <td>{f.dateTime(p.at)}</td>
                  <td>{p.storeName}</td>
                  <td>{p.receiptId}</td>
                  <td>{f.rub(p.amountKopecks)}</td>
                  <td>{p.returnedKopecks ? f.rub(p.returnedKopecks) : ""}</td>
                  <td>{p.pointsRedeemed ? f.int(p.pointsRedeemed) : ""}</td>
                  <td>{f.int(p.pointsAccrued)}</td>
                </tr>
              ))}
            </table>
          </section>
          <section>
            <h2>{t("member-ledger")}</h2>
            <table id="member-ledger">
              <tr>
                <th>{t("at")}</th>
                <th>{t("kind")}</th>
                <th>{t("change")}</th>
                <th>{t("balance-after")}</th>
              </tr>
              {found.ledger.map((e) => (
                <tr>
                  <td>{f.dateTime(e.at)}</td>
                  <td>{t(`kind-${e.kind}`)}</td>
                  <td>{e.points > 0 ? `+${f.int(e.points)}` : f.int(e.points)}</td>
                  <td>{f.int(e.balanceAfter)}</td>
                </tr>
              ))}
            </table>
          </section>
        </>
      ) : null}
    </>
  );
}

type B = Services["broadcasts"];

/** The latest broadcasts: state, how far each got; each opens its results. */
export function BroadcastsPage(props: { rows: Awaited<ReturnType<B["list"]>>; t: T; f: Fmt }) {
  const { t, f } = props;
  return (
    <section>
      <h2>{t("nav-broadcasts")}</h2>
      {props.rows.length === 0 ? (
        <p>{t("no-broadcasts")}</p>
      ) : (
        <table id="broadcasts">
          <tr>
            <th>{t("broadcast")}</th>
            <th>{t("broadcast-state")}</th>
            <th>{t("broadcast-started")}</th>
            <th>{t("broadcast-sent")}</th>
          </tr>
          {props.rows.map((b) => (
            <tr data-broadcast={String(b.id)}>
              <td>
                <a href={`/dashboard/broadcasts/${b.id}`}>{b.name}</a>
              </td>
              <td>{t(`state-${b.status}`)}</td>
              <td>{b.startedAt ? f.dateTime(new Date(b.startedAt)) : "—"}</td>
              <td>
                {f.int(b.sent)} / {f.int(b.total)}
              </td>
            </tr>
          ))}
        </table>
      )}
    </section>
  );
}

/**
 * One broadcast's experiment: each variant against the control group, with
 * the intervals and p-values that say whether a difference is real.
 */
export function BroadcastResultsPage(props: { r: Awaited<ReturnType<B["results"]>>; t: T; f: Fmt }) {
  const { r, t, f } = props;
  const p = (x: number | null | undefined) =>
    x === null || x === undefined ? "—" : x < 0.001 ? `< ${f.dec(0.001, 3)}` : f.dec(x, 3);
  const pp = (x: number | null | undefined) =>
    x === null || x === undefined ? "—" : t("percentage-points", { value: f.dec(x * 100, 1) });
  return (
    <section>
      <h2>{r.name}</h2>
      <p class="period">
        {t("attribution", { from: f.date(r.window.from), to: f.date(r.window.to), days: r.window.days })} ·{" "}
        {t(`state-${r.state}`)}
      </p>
      {r.sampleRatio.mismatch ? (
        <p id="srm" class="warn">
          {t("srm-warning", { p: p(r.sampleRatio.p) })}
        </p>
      ) : null}
      <table id="results">
        <tr>
          <th>{t("variant")}</th>
          <th>{t("members-assigned")}</th>
          <th>{t("delivered")}</th>
          <th>{t("clicks")}</th>
          <th>{t("buyers")}</th>
          <th>{t("conversion")}</th>
          <th>{t("revenue-per-member")}</th>
          <th>{t("uplift-conversion")}</th>
          <th>{t("p-conversion")}</th>
          <th>{t("uplift-revenue")}</th>
          <th>{t("p-revenue")}</th>
          <th>{t("points-cost")}</th>
        </tr>
        {r.variants.map((v) => (
          <tr data-variant={v.variant} data-members={String(v.members)} data-buyers={String(v.buyers)}>
            <td>{v.variant === "control" ? t("control") : v.variant}</td>
            <td>{f.int(v.members)}</td>
            <td>{f.int(v.delivered)}</td>
            <td>{f.int(v.clicks)}</td>
            <td>{f.int(v.buyers)}</td>
            <td>
              {f.pct(v.conversion * 100)}{" "}
              <small>
                ({f.pct(v.conversionCi.low * 100)}–{f.pct(v.conversionCi.high * 100)})
              </small>
            </td>
            <td>{f.rub(v.revenuePerMemberKopecks)}</td>
            <td>{pp(v.vsControl?.conversionUplift)}</td>
            <td>{p(v.vsControl?.conversionP)}</td>
            <td>
              {v.vsControl?.revenuePerMemberUpliftKopecks === null || v.vsControl === undefined
                ? "—"
                : f.rub(v.vsControl.revenuePerMemberUpliftKopecks)}
            </td>
            <td>{p(v.vsControl?.revenueP)}</td>
            <td>{f.int(v.pointsCost)}</td>
          </tr>
        ))}
      </table>
      <p>{t("results-help")}</p>
    </section>
  );
}
