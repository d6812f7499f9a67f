import type { Pagination } from './types.js';

/**
 * Computes the pagination block of a search result.
 * @param total number of matches
 * @param limit page size (≥ 1)
 * @param offset number of matches skipped (≥ 0)
 * @returns the figures the API returns beside the items
 */
export function createPagination(total: number, limit: number, offset: number): Pagination {
  const totalPages = total === 0 ? 0 : Math.ceil(total / limit);
  const currentPage = Math.floor(offset / limit);
  return {
    totalElements: total,
    totalPages,
    currentPage,
    pageSize: limit,
    hasNext: currentPage < totalPages - 1,
    hasPrevious: currentPage > 0,
  };
}
