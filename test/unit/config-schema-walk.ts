import type { z } from 'zod';

// Walks the configuration schema (zod's definitions) so tests can list every object in it: its
// name in the README reference, its keys, whether it is strict. A new object in the schema shows
// up here without anyone adding it to a list.

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  valueType?: z.ZodType;
  items?: z.ZodType[];
  rest?: z.ZodType | null;
  getter?: () => z.ZodType;
};

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schema under optional, default, pipe… wrappers. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if (
      def.innerType &&
      ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)
    )
      s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else if (def.type === 'lazy' && def.getter) s = def.getter();
    else return s;
  }
}

export interface SchemaObject {
  /** Its heading in the README reference: `integration`, `fusion.auth (type oauth)`, `alerts.email`… */
  name: string;
  /** Other places the same object schema is used (`format (type fixedWidth).detail` beside `.header`). */
  aliases: string[];
  /** The object schemas checked there: one, or the options of a plain union (their keys merged). */
  schemas: z.ZodType[];
  keys: string[];
  strict: boolean;
}

function discriminatorValue(option: z.ZodType, discriminator: string): string {
  const shape = defOf(unwrap(option)).shape ?? {};
  const d = defOf(unwrap(shape[discriminator]!)) as Def & { values?: unknown[] };
  return String(d.values?.[0]);
}

/**
 * Every object schema below `root`, named by its path: array items add nothing (`integrations`
 * items are `integration`, columns are `format.columns`), a discriminated union's options add
 * `(type <value>)`, other unions share their path (one table lists the keys of all options).
 */
export function schemaObjects(root: z.ZodType): SchemaObject[] {
  const found = new Map<string, SchemaObject>();
  const seen = new Map<z.ZodType, SchemaObject>();
  const visit = (schema: z.ZodType, name: string): void => {
    const s = unwrap(schema);
    const def = defOf(s);
    switch (def.type) {
      case 'object': {
        const again = seen.get(s);
        if (again) {
          if (again.name !== name && !again.aliases.includes(name)) again.aliases.push(name);
          return;
        }
        const keys = Object.keys(def.shape ?? {});
        const strict = def.catchall !== undefined && defOf(def.catchall).type === 'never';
        let entry = found.get(name);
        if (entry) {
          entry.keys = [...new Set([...entry.keys, ...keys])];
          entry.strict &&= strict;
          entry.schemas.push(s);
        } else {
          entry = { name, aliases: [], schemas: [s], keys, strict };
          found.set(name, entry);
        }
        seen.set(s, entry);
        for (const [key, child] of Object.entries(def.shape ?? {})) {
          visit(child, name === '' ? key : name === 'integration' ? key : `${name}.${key}`);
        }
        return;
      }
      case 'array':
        visit(def.element!, name === 'integrations' ? 'integration' : name);
        return;
      case 'union':
        for (const option of def.options ?? []) {
          visit(
            option,
            def.discriminator
              ? `${name} (${def.discriminator} ${discriminatorValue(option, def.discriminator)})`
              : name,
          );
        }
        return;
      case 'record':
        visit(def.valueType!, name);
        return;
      case 'tuple':
        for (const item of def.items ?? []) visit(item, name);
        return;
      default:
        return;
    }
  };
  visit(root, '');
  return [...found.values()];
}

/** The object schema a value at `path` is checked by (following the union option that accepts it). */
export function objectNodesOf(
  root: z.ZodType,
  value: unknown,
): { path: (string | number)[]; schema: z.ZodType }[] {
  const out: { path: (string | number)[]; schema: z.ZodType }[] = [];
  const visit = (schema: z.ZodType, v: unknown, path: (string | number)[]): void => {
    const s = unwrap(schema);
    const def = defOf(s);
    switch (def.type) {
      case 'object': {
        if (!v || typeof v !== 'object' || Array.isArray(v)) return;
        out.push({ path, schema: s });
        for (const [key, child] of Object.entries(def.shape ?? {})) {
          if (key in v) visit(child, (v as Record<string, unknown>)[key], [...path, key]);
        }
        return;
      }
      case 'array':
        if (Array.isArray(v)) for (const [i, item] of v.entries()) visit(def.element!, item, [...path, i]);
        return;
      case 'union': {
        const options = def.options ?? [];
        const match = def.discriminator
          ? options.find(
              (o) =>
                discriminatorValue(o, def.discriminator!) ===
                String((v as Record<string, unknown>)?.[def.discriminator!]),
            )
          : options.find((o) => o.safeParse(v).success);
        if (match) visit(match, v, path);
        return;
      }
      case 'record':
        if (v && typeof v === 'object')
          for (const [k, item] of Object.entries(v)) visit(def.valueType!, item, [...path, k]);
        return;
      default:
        return;
    }
  };
  visit(root, value, []);
  return out;
}
