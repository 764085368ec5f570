import {
  GraphQLBoolean,
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
} from 'graphql';
import { PAGE_LIMIT, type Page, type TimestampFilter } from './dlrn-graphql.reader.js';
import {
  CIVoteAggType,
  CIVoteType,
  CommitType,
  LIST_ARGS,
  NodeInterface,
  PackageStatusType,
  VERDICT_ARGS,
  VoteFilterType,
  type GraphqlContext,
  type NodeDoc,
} from './dlrn-graphql.types.js';
import { packageStatuses } from './package-status.reader.js';
import { fromGlobalId } from './relay.js';

type Args = Readonly<Record<string, unknown>>;

const text = (args: Args, name: string) => (typeof args[name] === 'string' ? args[name] : null);
const integer = (args: Args, name: string) => (typeof args[name] === 'number' ? args[name] : null);
const flag = (args: Args, name: string) => (typeof args[name] === 'boolean' ? args[name] : null);

/**
 * DLRN's paging: `limit` 100 by default and at most 100, `offset` 0 by default. A negative limit
 * (no limit at all on DLRN's SQLite) is the maximum; a negative offset is 0.
 */
function pageOf(args: Args): Page {
  const limit = integer(args, 'limit');
  const offset = integer(args, 'offset');
  return {
    limit: limit === null || limit < 0 || limit > PAGE_LIMIT ? PAGE_LIMIT : limit,
    offset: offset === null || offset < 0 ? 0 : offset,
  };
}

function whereOf(args: Args): TimestampFilter | null {
  const where = args.where as { readonly timestamp?: TimestampFilter | null } | null | undefined;
  return where?.timestamp ?? null;
}

/** Arguments DLRN ignores when falsy (`if ci_name:`), except the booleans, which it tests for None. */
function verdictFilters(args: Args) {
  return {
    ...pageOf(args),
    ciName: text(args, 'ciName'),
    ciVote: flag(args, 'ciVote'),
    ciInProgress: flag(args, 'ciInProgress'),
    timestamp: integer(args, 'timestamp'),
    user: text(args, 'user'),
    where: whereOf(args),
  };
}

async function node(args: Args, { reader }: GraphqlContext): Promise<NodeDoc | null> {
  const { type, id } = fromGlobalId(String(args.id));
  const number = Number(id);
  if (!Number.isSafeInteger(number)) return null;
  switch (type) {
    case 'Commit':
      return reader.commitById(number);
    case 'CIVote':
      return reader.voteById(number);
    case 'CIVoteAgg':
      return reader.aggregateVoteById(number);
    default:
      return null;
  }
}

const QueryType = new GraphQLObjectType<unknown, GraphqlContext>({
  name: 'Query',
  fields: {
    node: {
      type: NodeInterface,
      description: 'The object with this global ID',
      args: { id: { type: new GraphQLNonNull(GraphQLID), description: 'The ID of the object' } },
      resolve: (_root, args: Args, context) => node(args, context),
    },
    commits: {
      type: new GraphQLList(CommitType),
      description: 'Build results, newest first',
      args: {
        projectName: { type: GraphQLString },
        component: { type: GraphQLString },
        status: { type: GraphQLString },
        ...LIST_ARGS,
        commitHash: { type: GraphQLString },
        distroHash: { type: GraphQLString },
        extendedHash: { type: GraphQLString, description: 'An SQL LIKE pattern (`%`, `_`)' },
      },
      resolve: (_root, args: Args, { reader }) =>
        reader.commits({
          ...pageOf(args),
          projectName: text(args, 'projectName'),
          component: text(args, 'component'),
          status: text(args, 'status'),
          commitHash: text(args, 'commitHash'),
          distroHash: text(args, 'distroHash'),
          extendedHash: text(args, 'extendedHash'),
        }),
    },
    civote: {
      type: new GraphQLList(CIVoteType),
      description: 'CI votes and claims, newest first',
      args: {
        commitId: { type: GraphQLInt },
        ...VERDICT_ARGS,
        component: { type: GraphQLString },
        ...LIST_ARGS,
        where: { type: VoteFilterType },
      },
      resolve: (_root, args: Args, { reader }) =>
        reader.votes({
          ...verdictFilters(args),
          commitId: integer(args, 'commitId'),
          component: text(args, 'component'),
        }),
    },
    civoteAgg: {
      type: new GraphQLList(CIVoteAggType),
      description: 'CI votes on aggregate hashes, newest first',
      args: {
        refHash: { type: GraphQLString },
        ...VERDICT_ARGS,
        ...LIST_ARGS,
        lastRefHash: { type: GraphQLBoolean, description: 'Only the votes on the most recently voted aggregate hash' },
        where: { type: VoteFilterType },
      },
      resolve: (_root, args: Args, { reader }) =>
        reader.aggregateVotes({
          ...verdictFilters(args),
          refHash: text(args, 'refHash'),
          lastRefHash: flag(args, 'lastRefHash') === true,
        }),
    },
    packageStatus: {
      type: new GraphQLList(PackageStatusType),
      description: 'Per package: status of the last build, with the last success and first failure when failing',
      args: { projectName: { type: GraphQLString }, status: { type: GraphQLString } },
      resolve: (_root, args: Args, { reader }) =>
        packageStatuses(reader, { projectName: text(args, 'projectName'), status: text(args, 'status') }),
    },
  },
});

/** DLRN's GraphQL schema (`dlrn/api/graphql.py`), read from the projections. */
export const dlrnGraphqlSchema = new GraphQLSchema({ query: QueryType });
