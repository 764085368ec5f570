import { describe, expect, it } from 'vitest';
import { InterpolationError, interpolateEntry } from './interpolation.js';

function failure(entry: Record<string, unknown>): InterpolationError {
  try {
    interpolateEntry(entry);
  } catch (error) {
    if (error instanceof InterpolationError) return error;
    throw error;
  }
  throw new Error('expected an InterpolationError');
}

describe('when values refer to other keys of the package', () => {
  it('substitutes %(key)s and turns %% into a percent sign', () => {
    expect(interpolateEntry({ project: 'nova', name: 'openstack-%(project)s', note: '100%%' })).toEqual({
      project: 'nova',
      name: 'openstack-nova',
      note: '100%',
    });
  });

  it('resolves a referenced value before using it', () => {
    const resolved = interpolateEntry({ project: 'nova', name: 'python-%(project)s', path: '/srv/%(name)s' });
    expect(resolved['path']).toBe('/srv/python-nova');
  });

  it('prints numbers as they are and booleans as Python does', () => {
    expect(interpolateEntry({ v: 2023.2, b: true, s: '%(v)s-%(b)s' })['s']).toBe('2023.2-True');
  });

  it('leaves lists and mappings untouched', () => {
    const entry = { project: 'x', upstream: ['https://h/%(project)s'], tags: { a: '%(nope)s' } };
    expect(interpolateEntry(entry)).toEqual(entry);
  });
});

describe('when a value refers to a key the package does not have', () => {
  it('names the key holding the reference and suggests the near miss', () => {
    const error = failure({ project: 'nova', upstream: 'https://h/%(projet)s' });
    expect(error.key).toBe('upstream');
    expect(error.reason).toBe("'%(projet)s' refers to unknown key 'projet' (did you mean 'project'?)");
  });
});

describe('when values refer to each other in a circle', () => {
  it('refuses the loop and shows it', () => {
    const error = failure({ project: 'x', name: 'a-%(srpm)s', srpm: '%(name)s' });
    expect(error.reason).toBe('interpolation loop: name → srpm → name');
  });
});

describe('when a value uses another % form', () => {
  it.each(['50%', 'a %s b', '%(project)d', 'x%(project'])('refuses %j with a hint', (text) => {
    expect(failure({ project: 'x', v: text }).reason).toContain('write %(key)s for a value, %% for a percent sign');
  });

  it('refuses a reference to a list', () => {
    expect(failure({ m: ['a'], v: '%(m)s' }).reason).toBe("'%(m)s' refers to 'm', which is not a text value");
  });
});
