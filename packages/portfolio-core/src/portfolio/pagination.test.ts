import { describe, expect, it } from 'vitest';
import { createPagination } from './pagination.js';

describe('createPagination', () => {
  it('returns zero pages for no matches', () => {
    expect(createPagination(0, 50, 0)).toStrictEqual({
      totalElements: 0,
      totalPages: 0,
      currentPage: 0,
      pageSize: 50,
      hasNext: false,
      hasPrevious: false,
    });
  });

  it('takes items by offset: offset 2, limit 3 is page 0 with a next page', () => {
    expect(createPagination(10, 3, 2)).toStrictEqual({
      totalElements: 10,
      totalPages: 4,
      currentPage: 0,
      pageSize: 3,
      hasNext: true,
      hasPrevious: false,
    });
  });

  it('marks the last page', () => {
    expect(createPagination(10, 3, 9)).toStrictEqual({
      totalElements: 10,
      totalPages: 4,
      currentPage: 3,
      pageSize: 3,
      hasNext: false,
      hasPrevious: true,
    });
  });

  it('handles an offset past the end', () => {
    expect(createPagination(5, 5, 20)).toStrictEqual({
      totalElements: 5,
      totalPages: 1,
      currentPage: 4,
      pageSize: 5,
      hasNext: false,
      hasPrevious: true,
    });
  });
});
