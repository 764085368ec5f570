import {
  GraphQLBoolean,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigMap,
} from 'graphql';
import type { BuildDoc, CiVoteAggDoc, CiVoteDoc } from '#domain/projections/index.js';
import { GraphqlQueryError } from './graphql.errors.js';
import type { DlrnGraphqlReader } from './dlrn-graphql.reader.js';
import { PAGE_LIMIT } from './dlrn-graphql.reader.js';
import type { PackageStatusItem } from './package-status.reader.js';
import { connectionOf, toGlobalId, type ConnectionArgs } from './relay.js';

/** What every resolver of one request shares. */
export interface GraphqlContext {
  readonly reader: DlrnGraphqlReader;
}

/** A document shown as a Relay node. */
export type NodeDoc = BuildDoc | CiVoteDoc | CiVoteAggDoc;
type NodeTypeName = 'Commit' | 'CIVote' | 'CIVoteAgg';

const string = { type: GraphQLString };
const int = { type: GraphQLInt };
const boolean = { type: GraphQLBoolean };

/** graphene's DateTime: an ISO 8601 date and time, no zone (DLRN's are naive; ours are UTC). */
export const DateTimeScalar = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: 'ISO 8601 date and time without a zone (UTC), e.g. 2026-01-01T12:00:00',
  serialize: (value) => {
    if (typeof value !== 'number') throw new TypeError('DateTime cannot represent a non-number');
    return new Date(value * 1000).toISOString().slice(0, 19);
  },
  parseValue: () => {
    throw new GraphqlQueryError('DateTime is not an input type here');
  },
});

const NodeInterface: GraphQLInterfaceType = new GraphQLInterfaceType({
  name: 'Node',
  description: 'An object with an ID',
  fields: { id: { type: new GraphQLNonNull(GraphQLID), description: 'The ID of the object' } },
  resolveType: (doc: NodeDoc): NodeTypeName =>
    'buildId' in doc ? 'Commit' : 'refHash' in doc ? 'CIVoteAgg' : 'CIVote',
});

const globalId = <Doc>(type: NodeTypeName, id: (doc: Doc) => number): GraphQLFieldConfig<Doc, GraphqlContext> => ({
  type: new GraphQLNonNull(GraphQLID),
  description: 'The ID of the object',
  resolve: (doc) => toGlobalId(type, id(doc)),
});

const PageInfoType = new GraphQLObjectType({
  name: 'PageInfo',
  fields: {
    hasNextPage: { type: new GraphQLNonNull(GraphQLBoolean) },
    hasPreviousPage: { type: new GraphQLNonNull(GraphQLBoolean) },
    startCursor: string,
    endCursor: string,
  },
});

const verdictFields = <Doc extends CiVoteDoc | CiVoteAggDoc>(): GraphQLFieldConfigMap<Doc, GraphqlContext> => ({
  ciName: { type: GraphQLString, resolve: (v) => v.ciName },
  ciUrl: { type: GraphQLString, resolve: (v) => v.ciUrl },
  ciVote: { type: GraphQLBoolean, resolve: (v) => v.ciVote },
  ciInProgress: { type: GraphQLBoolean, resolve: (v) => v.ciInProgress },
  timestamp: { type: GraphQLInt, resolve: (v) => v.timestamp },
  notes: { type: GraphQLString, resolve: (v) => v.notes },
  user: { type: GraphQLString, resolve: (v) => v.user },
});

/** The id DLRN's `civotes.commit_id` would hold: the newest SUCCESS of the vote's hashes. */
const votedCommit = (vote: CiVoteDoc, reader: DlrnGraphqlReader) =>
  reader.successfulCommit(vote.commitHash, vote.distroHash, vote.extendedHash);

export const CommitType: GraphQLObjectType<BuildDoc, GraphqlContext> = new GraphQLObjectType<BuildDoc, GraphqlContext>({
  name: 'Commit',
  description: "A build result: DLRN's `commits` row",
  interfaces: [NodeInterface],
  fields: () => ({
    id: globalId('Commit', (b: BuildDoc) => b.completedPosition ?? b.id),
    type: { type: GraphQLString, resolve: (b) => b.type },
    dtCommit: { type: GraphQLInt, resolve: (b) => b.dtCommit },
    dtDistro: { type: GraphQLInt, resolve: (b) => b.dtDistro },
    dtExtended: { type: GraphQLInt, resolve: (b) => b.dtExtended },
    dtBuild: { type: GraphQLInt, resolve: (b) => b.dtBuild },
    projectName: { type: GraphQLString, resolve: (b) => b.package },
    repoDir: {
      ...string,
      description: "DLRN: the builder's source clone path. Not recorded here: always null",
      resolve: () => null,
    },
    distgitDir: {
      ...string,
      description: "DLRN: the builder's dist-git clone path. Not recorded here: always null",
      resolve: () => null,
    },
    commitHash: { type: GraphQLString, resolve: (b) => b.commitHash },
    distroHash: { type: GraphQLString, resolve: (b) => b.distroHash },
    extendedHash: { type: GraphQLString, resolve: (b) => b.extendedHash },
    commitBranch: { type: GraphQLString, resolve: (b) => b.commitBranch },
    status: { type: GraphQLString, resolve: (b) => b.status },
    component: { type: GraphQLString, resolve: (b) => b.component },
    artifacts: {
      type: GraphQLString,
      description: 'Comma-separated `repos/<hashed dir>/<file>.rpm`',
      resolve: (b) => (b.artifacts.length === 0 ? null : b.artifacts.join(',')),
    },
    notes: { type: GraphQLString, resolve: (b) => b.notes },
    flags: { type: GraphQLInt, description: '0x2: purged', resolve: (b) => b.flags },
    versionsCsv: { type: GraphQLString, resolve: (b) => b.versionsCsv },
    civotes: {
      type: CIVoteConnectionType,
      args: { before: string, after: string, first: int, last: int },
      resolve: async (b, args: ConnectionArgs, { reader }) => connectionOf(await reader.votesOn(b), args, PAGE_LIMIT),
    },
  }),
});

export const CIVoteType: GraphQLObjectType<CiVoteDoc, GraphqlContext> = new GraphQLObjectType<
  CiVoteDoc,
  GraphqlContext
>({
  name: 'CIVote',
  description: "A CI vote, or a claim (`ciInProgress`): DLRN's `civotes` row",
  interfaces: [NodeInterface],
  fields: () => ({
    id: globalId('CIVote', (v: CiVoteDoc) => v.id),
    commitId: {
      type: GraphQLInt,
      description: 'Id of the commit voted on; null once no SUCCESS build of its hashes counts (rechecked)',
      resolve: async (v, _args, { reader }) => (await votedCommit(v, reader))?.completedPosition ?? null,
    },
    ...verdictFields<CiVoteDoc>(),
    component: { type: GraphQLString, resolve: (v) => v.component },
    commit: { type: CommitType, resolve: (v, _args, { reader }) => votedCommit(v, reader) },
  }),
});

const CIVoteEdgeType = new GraphQLObjectType({
  name: 'CIVoteEdge',
  fields: { node: { type: CIVoteType }, cursor: { type: new GraphQLNonNull(GraphQLString) } },
});

const CIVoteConnectionType: GraphQLObjectType = new GraphQLObjectType({
  name: 'CIVoteConnection',
  fields: {
    pageInfo: { type: new GraphQLNonNull(PageInfoType) },
    edges: { type: new GraphQLNonNull(new GraphQLList(CIVoteEdgeType)) },
  },
});

export const CIVoteAggType = new GraphQLObjectType<CiVoteAggDoc, GraphqlContext>({
  name: 'CIVoteAgg',
  description: "A CI vote on an aggregate (component) repository hash: DLRN's `civotes_agg` row",
  interfaces: [NodeInterface],
  fields: () => ({
    id: globalId('CIVoteAgg', (v: CiVoteAggDoc) => v.id),
    refHash: { type: new GraphQLNonNull(GraphQLString), resolve: (v) => v.refHash },
    ...verdictFields<CiVoteAggDoc>(),
  }),
});

export const PackageStatusType = new GraphQLObjectType<PackageStatusItem, GraphqlContext>({
  name: 'PackageStatus',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID), description: 'Unique identifier for package status' },
    projectName: { type: new GraphQLNonNull(GraphQLString), description: 'Name of the project' },
    status: {
      type: new GraphQLNonNull(GraphQLString),
      description: 'Build status, can be one of SUCCESS, FAILED, RETRY or NO_BUILD',
    },
    lastSuccess: {
      type: DateTimeScalar,
      description: 'If status is FAILED or RETRY, date and time of the last successful build',
    },
    firstFailureCommit: {
      type: GraphQLString,
      description: 'If status is FAILED or RETRY, source commit hash of the first failed build',
    },
  },
});

const TimestampFilterType = new GraphQLInputObjectType({
  name: 'TimestampFilter',
  fields: { gt: int, gte: int, lt: int, lte: int, eq: int },
});

export const VoteFilterType = new GraphQLInputObjectType({
  name: 'VoteFilter',
  fields: { timestamp: { type: TimestampFilterType } },
});

export { NodeInterface };
export const LIST_ARGS = { offset: int, limit: int };
export const VERDICT_ARGS = {
  ciName: string,
  ciVote: boolean,
  ciInProgress: boolean,
  timestamp: int,
  user: string,
};
