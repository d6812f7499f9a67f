// Public surface of @globeco/portfolio-core: every export is named here.

export {
  ERROR_CODES,
  PortfolioError,
  ValidationError,
  NotFoundError,
  VersionConflictError,
  DuplicateInBatchError,
  BatchTooLargeError,
  EmptyBatchError,
  AlreadyExistsError,
  UnavailableError,
  TimeoutError,
  InternalError,
  BulkCompensationError,
} from './errors.js';
export {
  isPortfolioError,
  isValidationError,
  isNotFoundError,
  isVersionConflictError,
  isDuplicateInBatchError,
  isBatchTooLargeError,
  isEmptyBatchError,
  isAlreadyExistsError,
  isUnavailableError,
  isTimeoutError,
  isInternalError,
  isBulkCompensationError,
  isDomainError,
} from './error-guards.js';
export type {
  PortfolioErrorCode,
  ValidationIssue,
  ValidationIssueType,
  DuplicateName,
  UnavailableReason,
} from './errors.js';

export type {
  Portfolio,
  NewPortfolio,
  Pagination,
  PortfolioPage,
  SearchCriteria,
  SearchResult,
} from './portfolio/types.js';
export { portfolioJson } from './portfolio/portfolio-json.js';
export {
  NAME_MAX_LENGTH,
  BULK_MAX_ITEMS,
  DEFAULT_SEARCH_LIMIT,
  MAX_SEARCH_LIMIT,
  NAME_PATTERN,
  NAME_RULE_MESSAGE,
  OBJECT_ID_PATTERN,
  DATE_TIME_PATTERN,
  MIN_DATE_TIME,
  MAX_DATE_TIME,
  DATE_RANGE_MESSAGE,
  isInDateRange,
  isValidName,
  normalizeName,
  parseDateTime,
} from './portfolio/rules.js';
export {
  PortfolioNameSchema,
  ObjectIdSchema,
  DateTimeSchema,
  VersionSchema,
  LimitSchema,
  OffsetSchema,
  PortfolioCreateSchema,
  PortfolioUpdateSchema,
  PortfolioSearchQuerySchema,
  PortfolioBulkCreateSchema,
  PortfolioJsonSchema,
  PaginationJsonSchema,
  buildPortfolioSchemas,
  JSON_SCHEMA_OPTIONS,
} from './portfolio/schemas.js';
export type {
  PortfolioCreateInput,
  PortfolioCreateData,
  PortfolioUpdateInput,
  PortfolioUpdateData,
  PortfolioSearchInput,
  PortfolioSearchQuery,
  PortfolioJson,
} from './portfolio/schemas.js';
export { toValidationIssues, parseOrThrow, toQueryInteger } from './portfolio/issues.js';
export { createPagination } from './portfolio/pagination.js';

export { createValidationCache, DEFAULT_VALIDATION_CACHE_SIZE } from './cache/validation-cache.js';
export type { ValidationCache, ValidationCacheOptions, ValidationCacheStats } from './cache/validation-cache.js';

export { createDatabasePolicy, DEFAULT_DATABASE_POLICY_OPTIONS } from './resilience/database-policy.js';
export type {
  DatabasePolicy,
  DatabasePolicyOptions,
  ResolvedDatabasePolicyOptions,
  CircuitBreakerState,
  OperationKind,
  BreakEvent,
  RetryEvent,
} from './resilience/database-policy.js';
export type { EventSource, Subscription } from './resilience/events.js';
export { isTransientDatabaseError, isDuplicateKeyError } from './resilience/transient.js';

export type {
  PortfolioStore,
  PortfolioChanges,
  VersionedUpdateResult,
  VersionedDeleteResult,
  BulkStrategy,
  InsertManyOptions,
  PortfolioBatches,
  PortfolioJsonBatches,
} from './store/portfolio-store.js';
export { InMemoryPortfolioStore } from './store/in-memory-store.js';
export type { StoreOperation } from './store/in-memory-store.js';
export {
  applyDriverHooks,
  createMongoClient,
  detectCompressors,
  toDriverOptions,
  DEFAULT_COMPRESSORS,
  DEFAULT_DATABASE_NAME,
} from './store/mongo-client.js';
export type { MongoConnectionOptions, CompressorName, CompressorSupport, DriverHooks } from './store/mongo-client.js';
export { guardDroppedConnections } from './store/dropped-connection-guard.js';
export { SYNC_ZLIB_LIMIT, useSynchronousZlibForSmallMessages } from './store/small-zlib.js';
export { createMongoPortfolioStore, portfolioSearchQuery, PORTFOLIO_INDEXES } from './store/mongo-store.js';
export type { MongoPortfolioStore, MongoPortfolioStoreOptions, MongoSearchQuery } from './store/mongo-store.js';
export { NAME_COLLATION, PORTFOLIO_COLLECTION, newPortfolioIds } from './store/portfolio-document.js';
export type { PortfolioDocument } from './store/portfolio-document.js';
export { dropLegacyNameLower, LEGACY_NAME_LOWER_INDEX } from './store/legacy-name-lower.js';
export type { DropLegacyNameLowerResult } from './store/legacy-name-lower.js';

export { createPortfolioService, LIST_BATCH_SIZE } from './service/portfolio-service.js';
export type { PortfolioService, PortfolioServiceOptions, CreateManyOptions } from './service/portfolio-service.js';
