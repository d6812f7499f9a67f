import type { Document } from 'bson';
import { intOption, storeFor, type CommandContext, type CommandHandler } from '../context.js';
import { collateFilter, isCaseInsensitive } from '../collation.js';
import { CommandError, commandError } from '../errors.js';
import { winningPlan } from '../plan.js';
import { select } from '../query.js';
import { aggregateDocs, docOption, runFind, type ReadOptions } from './read.js';

function explainAggregate(ctx: CommandContext, pipeline: Document[]): Document {
  const first = pipeline[0];
  const filter = first?.$match && typeof first.$match === 'object' ? (first.$match as Document) : {};
  const sortStage = pipeline.find((s) => s.$sort !== undefined);
  const queryPlanner = planner(ctx, String(ctx.cmd.aggregate), filter, { sort: sortStage?.$sort as Document | undefined, collation: docOption(ctx.cmd, 'collation') });
  return { explainVersion: '1', queryPlanner, stages: [{ $cursor: { queryPlanner } }, ...pipeline.slice(first?.$match ? 1 : 0)] };
}

function planner(ctx: CommandContext, collName: string, filter: Document, opts: ReadOptions): Document {
  const store = ctx.state.catalog.get(ctx.db, collName);
  const sel = store ? select(store, filter) : undefined;
  return {
    namespace: `${ctx.db}.${collName}`,
    indexFilterSet: false,
    parsedQuery: filter,
    winningPlan: winningPlan(store, sel, filter, opts),
    rejectedPlans: [],
  };
}

function explainCommand(ctx: CommandContext): Document {
  const inner = docOption(ctx.cmd, 'explain');
  if (!inner) throw commandError('BadValue', 'explain command requires a nested object');
  const verbosity = typeof ctx.cmd.verbosity === 'string' ? ctx.cmd.verbosity : 'allPlansExecution';
  const name = Object.keys(inner)[0] ?? '';
  const sub: CommandContext = { ...ctx, cmd: inner };
  let queryPlanner: Document;
  let nReturned = 0;
  let stages: Document[] | undefined;
  if (name === 'find') {
    const collation = docOption(inner, 'collation');
    const opts = { sort: docOption(inner, 'sort'), skip: intOption(inner, 'skip'), limit: intOption(inner, 'limit'), collation };
    queryPlanner = planner(ctx, String(inner.find), docOption(inner, 'filter') ?? {}, opts);
    const store = storeFor(sub, inner.find, false);
    const filter = isCaseInsensitive(collation) ? (collateFilter(docOption(inner, 'filter') ?? {}) as Document) : docOption(inner, 'filter');
    nReturned = store ? runFind(store, filter, opts).length : 0;
  } else if (name === 'aggregate') {
    const out = explainAggregate(sub, Array.isArray(inner.pipeline) ? (inner.pipeline as Document[]) : []);
    queryPlanner = out.queryPlanner as Document;
    stages = out.stages as Document[];
    nReturned = aggregateDocs(sub, (inner.pipeline as Document[] | undefined) ?? []).length;
  } else if (name === 'count') {
    queryPlanner = planner(ctx, String(inner.count), docOption(inner, 'query') ?? {}, { collation: docOption(inner, 'collation') });
    queryPlanner.winningPlan = { stage: 'COUNT', inputStage: queryPlanner.winningPlan as Document };
    nReturned = 0;
  } else if (name === 'distinct') {
    queryPlanner = planner(ctx, String(inner.distinct), docOption(inner, 'query') ?? {}, { collation: docOption(inner, 'collation') });
  } else if (name === 'update' || name === 'delete') {
    const list = (inner[name === 'update' ? 'updates' : 'deletes'] as Document[] | undefined) ?? [];
    queryPlanner = planner(ctx, String(inner[name]), (list[0]?.q as Document | undefined) ?? {}, { collation: (list[0]?.collation as Document | undefined) ?? docOption(inner, 'collation') });
    queryPlanner.winningPlan = { stage: name.toUpperCase(), inputStage: queryPlanner.winningPlan as Document };
  } else if (name === 'findAndModify') {
    queryPlanner = planner(ctx, String(inner.findAndModify), docOption(inner, 'query') ?? {}, { sort: docOption(inner, 'sort'), collation: docOption(inner, 'collation') });
  } else {
    throw new CommandError(59, 'CommandNotFound', `Explain failed due to unknown command: ${name}`);
  }
  const reply: Document = {
    explainVersion: '1',
    queryPlanner,
    command: { ...inner, $db: ctx.db },
    serverInfo: { host: ctx.state.hostAndPort.split(':')[0], port: Number(ctx.state.hostAndPort.split(':')[1]), version: '7.0.0' },
  };
  if (stages) reply.stages = stages;
  if (verbosity !== 'queryPlanner') {
    reply.executionStats = {
      executionSuccess: true,
      nReturned,
      executionTimeMillis: 0,
      totalKeysExamined: 0,
      totalDocsExamined: 0,
      executionStages: { ...(queryPlanner.winningPlan as Document), nReturned },
    };
  }
  return reply;
}

/** explain for find, aggregate, count, distinct, update, delete and findAndModify; also `aggregate` with `explain: true`. */
export const explainCommands: Record<string, CommandHandler> = { explain: explainCommand };

/** Answers `aggregate` with `explain: true` (older drivers' form of aggregate explain). */
export function explainAggregateCommand(ctx: CommandContext): Document {
  return explainAggregate(ctx, Array.isArray(ctx.cmd.pipeline) ? (ctx.cmd.pipeline as Document[]) : []);
}
