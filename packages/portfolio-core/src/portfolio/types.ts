/** A stored portfolio as the domain sees it. Serialising it with `JSON.stringify` yields the API shape. */
export interface Portfolio {
  /** The 24-character lower-case hex ObjectId. */
  readonly portfolioId: string;
  /** The trimmed name (not unique). */
  readonly name: string;
  /** Creation instant (UTC). */
  readonly dateCreated: Date;
  /** Optimistic-concurrency version, an integer ≥ 1. */
  readonly version: number;
}

/** A portfolio about to be inserted: validated, defaults filled in, no id yet. */
export interface NewPortfolio {
  /** The trimmed name. */
  readonly name: string;
  /** Creation instant. */
  readonly dateCreated: Date;
  /** Initial version (≥ 1). */
  readonly version: number;
}

/** Pagination block of a search result, with the original service's arithmetic. */
export interface Pagination {
  /** Number of portfolios matching the search. */
  readonly totalElements: number;
  /** `ceil(totalElements / pageSize)`, 0 when nothing matches. */
  readonly totalPages: number;
  /** `floor(offset / pageSize)`. */
  readonly currentPage: number;
  /** The requested limit. */
  readonly pageSize: number;
  /** `currentPage < totalPages - 1`. */
  readonly hasNext: boolean;
  /** `currentPage > 0`. */
  readonly hasPrevious: boolean;
}

/** One page of search results, newest first. */
export interface PortfolioPage {
  /** The portfolios of this page, sorted by dateCreated descending. */
  readonly portfolios: Portfolio[];
  /** Pagination figures for the whole result. */
  readonly pagination: Pagination;
}

/** Validated search criteria as the store receives them (at most one of `name` / `nameLike`). */
export interface SearchCriteria {
  /** Exact name, matched case-insensitively. */
  readonly name?: string;
  /** Substring of the name, matched case-insensitively and literally. */
  readonly nameLike?: string;
  /** Page size, 1..1000. */
  readonly limit: number;
  /** Number of matching portfolios to skip, ≥ 0. */
  readonly offset: number;
}

/** Matching portfolios of one page plus the total count of all matches. */
export interface SearchResult {
  /** The portfolios of the page, sorted by dateCreated descending. */
  readonly items: Portfolio[];
  /** The number of all matches. */
  readonly total: number;
}
