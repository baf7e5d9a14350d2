import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';
import type { Tables } from './schema.js';

/**
 * Runs a compiled query on a database's driver directly, outside kysely's executor (see
 * runDirectly); `name`, when given, names a statement whose text never changes, so the driver may
 * prepare it once per connection.
 */
export type DirectRunner = (query: CompiledQuery, name?: string) => Promise<QueryResult<unknown>>;

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

/** Statement names already given, by SQL text: one name per distinct text. */
const statementNames = new Map<string, string>();

/**
 * A statement of fixed SQL text, whatever the number of rows it carries (rows go in as arrays or
 * one JSON document, not as one placeholder per value): on PostgreSQL it is prepared once per
 * connection (a named statement), on SQLite once per database (sqlite.ts). Returns a function that
 * runs it on `executor` (the database or one of its transactions) with `parameters` ($1… or ?, in order).
 */
export function fixedStatement<R>(text: string): (executor: Kysely<Tables>, parameters: readonly unknown[]) => Promise<QueryResult<R>> {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `herald_${statementNames.size + 1}`));
  const statementName = name;
  return (executor, parameters) => {
    const query = CompiledQuery.raw(text, [...parameters]) as CompiledQuery<R>;
    const direct = directRunners.get(executor);
    return direct ? (direct(query, statementName) as Promise<QueryResult<R>>) : executor.executeQuery(query);
  };
}
