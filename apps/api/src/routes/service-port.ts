import type { PortfolioService } from '@globeco/portfolio-core';

/** The portfolio operations the HTTP surfaces call (the core service validates raw input itself). */
export type PortfolioOperations = Pick<
  PortfolioService,
  'get' | 'listJsonBatches' | 'create' | 'update' | 'delete' | 'search' | 'createMany'
>;
