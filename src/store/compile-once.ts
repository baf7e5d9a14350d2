import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Tables } from './schema.js';

/** Runs a compiled query on a database's driver directly, outside kysely's executor (see runDirectly). */
export type DirectRunner = (query: CompiledQuery) => Promise<QueryResult<unknown>>;

const directRunners = new WeakMap<Kysely<Tables>, DirectRunner>();

/**
 * Lets compiled queries on `db` itself (not on its transactions) skip kysely's executor and go to
 * the driver through `run`: on the poll path, kysely's per-query promise chain costs as much CPU
 * as the query. Only for a driver whose queries do not share a connection with a transaction in
 * progress (a PostgreSQL pool; not SQLite's single connection).
 */
export function runDirectly(db: Kysely<Tables>, run: DirectRunner): void {
  directRunners.set(db, run);
}

/** Stands in for one argument (or the `index`th element of a list argument) while a query is compiled. */
class Slot {
  constructor(
    readonly name: string,
    readonly index?: number,
  ) {}
}

/**
 * A query built and compiled to SQL once, then run with new arguments: building and compiling a
 * kysely query costs more CPU than running it, and the poll and send paths run the same few queries
 * all day. `build` receives stand-ins for the arguments: use them only as values, never to decide
 * the query's shape (no optional clauses). Arguments named in `lists` are arrays of values: the
 * query is compiled once per array length (`IN (?, ?)`, several rows of VALUES). The returned
 * function runs the compiled SQL on `executor` (the database or one of its transactions) with
 * `args` in their places.
 */
export function compileOnce<A extends object, R>(
  build: (args: A) => Compilable<R>,
  lists: ReadonlyArray<keyof A & string> = [],
): (executor: Kysely<Tables>, args: A) => Promise<QueryResult<R>> {
  const byLengths = new Map<string, { compiled: CompiledQuery<R>; slots: Array<Slot | undefined> }>();
  return (executor, args) => {
    const values = args as Record<string, unknown>;
    const lengths = lists.map((name) => (values[name] as unknown[]).length);
    const key = lengths.join(',');
    let entry = byLengths.get(key);
    if (!entry) {
      const standIns = new Proxy({} as Record<string, unknown>, {
        get: (_target, name) => {
          const at = lists.indexOf(String(name) as keyof A & string);
          return at < 0 ? new Slot(String(name)) : Array.from({ length: lengths[at]! }, (_, index) => new Slot(String(name), index));
        },
      }) as A;
      const compiled = build(standIns).compile();
      entry = { compiled, slots: compiled.parameters.map((parameter) => (parameter instanceof Slot ? parameter : undefined)) };
      byLengths.set(key, entry);
    }
    const { compiled, slots } = entry;
    const parameters = slots.map((slot, position) => {
      if (!slot) return compiled.parameters[position];
      const value = values[slot.name];
      return slot.index === undefined ? value : (value as unknown[])[slot.index];
    });
    const query = { ...compiled, parameters };
    const direct = directRunners.get(executor);
    return direct ? (direct(query) as Promise<QueryResult<R>>) : executor.executeQuery(query);
  };
}
