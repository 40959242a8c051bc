import { PrismaPg } from "@prisma/adapter-pg";

/**
 * PrismaPg for the Prisma CLI only. On a real PostgreSQL server the CLI's WASM
 * schema engine fails with "Column type 'name' could not be deserialized"
 * (prisma/orm#27403): catalog queries return columns of type `name` (oid 19),
 * which it cannot read. Reporting them as `text` (oid 25) is enough; the
 * values are plain strings either way. It also runs scripts whole, since the
 * stock adapter splits them on ";" and would cut a function body apart.
 * The application's own client needs none of this.
 */
const NAME_OID = 19;
const TEXT_OID = 25;

type Queryable = { performIO(q: unknown): Promise<{ fields: { dataTypeID: number }[] }> };
type Adapter = Queryable & {
  startTransaction(l?: unknown): Promise<Queryable>;
  executeScript(s: string): Promise<void>;
  client: { query(s: string): Promise<unknown> };
};

function patchQueryable<T extends Queryable>(q: T): T {
  const performIO = q.performIO.bind(q);
  q.performIO = async (query) => {
    const r = await performIO(query);
    for (const f of r.fields) if (f.dataTypeID === NAME_OID) f.dataTypeID = TEXT_OID;
    return r;
  };
  return q;
}

export class PrismaPgForCli extends PrismaPg {
  override async connect() {
    const adapter = (await super.connect()) as unknown as Adapter;
    patchQueryable(adapter);
    const start = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (l) => patchQueryable(await start(l));
    adapter.executeScript = async (script) => {
      await adapter.client.query(script);
    };
    return adapter as unknown as Awaited<ReturnType<PrismaPg["connect"]>>;
  }
}
