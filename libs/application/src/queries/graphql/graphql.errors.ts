import { GraphQLError } from 'graphql';

/**
 * An error the caller caused (bad argument combination, a query too expensive), reported in the
 * answer's `errors` with its message. Anything else a resolver throws is reported as
 * `Internal Server Error` and logged.
 */
export class GraphqlQueryError extends GraphQLError {
  constructor(message: string) {
    super(message);
    this.name = 'GraphqlQueryError';
  }
}

/** Store reads one request may make: aliases and nested lists multiply, this bounds them. */
export const MAX_READS_PER_REQUEST = 500;

/** Counts the store reads of one request and stops it past the limit. */
export class ReadBudget {
  private spent = 0;

  constructor(private readonly limit = MAX_READS_PER_REQUEST) {}

  spend(): void {
    this.spent += 1;
    if (this.spent > this.limit) {
      throw new GraphqlQueryError(`Query too expensive: more than ${this.limit} reads; ask for fewer fields or items`);
    }
  }
}
