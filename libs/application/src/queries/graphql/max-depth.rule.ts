import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/**
 * Refuses operations nesting fields deeper than `max` (fragments followed). Nested lists
 * multiply reads (commits › civotes › commit › civotes…); introspection (`__schema`, `__type`)
 * is left out, as its depth is bounded by the schema.
 */
export function maxDepthRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragmentDepths = new Map<string, number>();
    const depthOf = (set: SelectionSetNode | undefined, visiting: ReadonlySet<string>): number => {
      if (!set) return 0;
      let deepest = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, visiting));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet, visiting));
        } else {
          const name = selection.name.value;
          // A cycle is NoFragmentCyclesRule's to report; a fragment is measured once.
          if (visiting.has(name)) continue;
          let depth = fragmentDepths.get(name);
          if (depth === undefined) {
            depth = depthOf(context.getFragment(name)?.selectionSet, new Set([...visiting, name]));
            fragmentDepths.set(name, depth);
          }
          deepest = Math.max(deepest, depth);
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet, new Set());
        if (depth > max) {
          context.reportError(
            new GraphQLError(`Query is too deep: ${depth} levels of fields, at most ${max}`, { nodes: operation }),
          );
        }
      },
    };
  };
}
