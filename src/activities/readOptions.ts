import type { IntegrationConfig } from '../config';
import { formatFieldUse } from '../config/formats';
import { entityReaders, type ReadOptions } from '../fusion';
import { childrenToRead } from '../fusion/children';

/** How an integration reads Fusion: expanded pages, the child filter, and only the children its format needs. */
export function readOptionsFor(config: IntegrationConfig): ReadOptions {
  return {
    expand: true,
    childChangeFilter: config.fusion.childChangeFilter,
    children: childrenToRead(
      config.entity,
      entityReaders[config.entity].spec.children,
      formatFieldUse(config.entity, config.format),
      config.fusion.children,
    ),
  };
}
