import { isAbsolute, resolve } from 'node:path';
import type { ValidationArguments } from 'class-validator';
import type { IniKind } from './ini-option.decorator.js';

const TRUE_WORDS = new Set(['1', 'yes', 'true', 'on']);
const FALSE_WORDS = new Set(['0', 'no', 'false', 'off']);
const INTEGER = /^[+-]?\d+$/;

/**
 * Turns the raw INI text into the option's type, or leaves it as the raw string when it does
 * not convert so that validation reports it (see IniKind).
 */
export function convertIniValue(kind: IniKind, raw: string, iniDir: string): unknown {
  const value = raw.trim();
  switch (kind) {
    case 'string':
    case 'presence':
      return raw;
    case 'optional':
      return value === '' ? null : raw;
    case 'int':
      return INTEGER.test(value) ? Number(value) : raw;
    case 'bool': {
      const word = value.toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      return raw;
    }
    case 'list':
      // DLRN: `val.split(',')` with no trimming. An empty value gives [] here rather than
      // DLRN's [''], which every DLRN consumer skips anyway.
      return raw === '' ? [] : raw.split(',');
    case 'trimmed-list':
      return raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    case 'path':
      return value === '' ? '' : resolvePath(iniDir, value);
    case 'optional-path':
      return value === '' ? null : resolvePath(iniDir, value);
  }
}

/** Relative paths in projects.ini are relative to the file, not to the working directory. */
export function resolvePath(iniDir: string, value: string): string {
  return isAbsolute(value) ? value : resolve(iniDir, value);
}

function shown(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/** class-validator message builders shared by the section classes. */
export const messages = {
  integer: (a: ValidationArguments): string => `expected an integer, got ${shown(a.value)}`,
  boolean: (a: ValidationArguments): string =>
    `expected a boolean (1/yes/true/on or 0/no/false/off), got ${shown(a.value)}`,
  min: (min: number) => (a: ValidationArguments) => `must be at least ${min}, got ${shown(a.value)}`,
  range: (min: number, max: number) => (a: ValidationArguments) =>
    `must be between ${min} and ${max}, got ${shown(a.value)}`,
  notEmpty: (): string => 'must not be empty',
  oneOf: (allowed: readonly string[]) => (a: ValidationArguments) =>
    `expected one of ${allowed.join(', ')}, got ${shown(a.value)}`,
};
