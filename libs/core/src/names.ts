import { UsageError } from './errors.js';

/** Container and image names: checked before any path is built from them. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function isValidName(name: unknown): name is string {
  return typeof name === 'string' && NAME_PATTERN.test(name);
}

/** A short reason why a name is refused, or undefined when it is fine. */
export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'a name is required';
  if (name.length > 63) return `name "${name.slice(0, 20)}…" is longer than 63 characters`;
  if (!NAME_PATTERN.test(name))
    return `name ${JSON.stringify(name)} is not allowed: use letters, digits, '_', '.', '-', starting with a letter or digit`;
  return undefined;
}

/** Usage check of a verb's NAME... arguments: at least one, each a valid name. */
export function checkNames(verb: string, names: string[], what: string): void {
  if (names.length === 0) throw new UsageError(`${verb} needs at least one ${what} NAME`);
  for (const name of names) {
    const problem = nameProblem(name);
    if (problem) throw new UsageError(problem);
  }
}
