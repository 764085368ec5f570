import { describe, expect, it } from 'vitest';
import { sqliteFileOfUrl } from './dlrn-database-url.js';

describe("reading DLRN's database_connection URL as SQLAlchemy does", () => {
  it('takes four slashes as an absolute path', () => {
    expect(sqliteFileOfUrl('sqlite:////var/lib/dlrn/commits.sqlite', '/srv')).toBe('/var/lib/dlrn/commits.sqlite');
  });

  it('takes three slashes as a path relative to the working directory', () => {
    expect(sqliteFileOfUrl('sqlite:///commits.sqlite', '/srv/dlrn')).toBe('/srv/dlrn/commits.sqlite');
    expect(sqliteFileOfUrl('sqlite:///data/commits.sqlite', '/srv/dlrn')).toBe('/srv/dlrn/data/commits.sqlite');
  });

  it('does not echo the password of a MariaDB URL', () => {
    expect(() => sqliteFileOfUrl('mysql+pymysql://dlrn:hunter2@db/dlrn')).toThrow(
      /^mysql\+pymysql:\/\/dlrn:\*\*\*@db\/dlrn: unsupported scheme/,
    );
  });

  it.each([
    ['mysql+pymysql://dlrn:pw@db/dlrn', /unsupported scheme 'mysql\+pymysql'/],
    ['postgresql://db/dlrn', /unsupported scheme 'postgresql'/],
    ['sqlite://', /no database file/],
    ['sqlite:///:memory:', /no database file/],
    ['sqlite:///commits.sqlite?mode=ro', /query parameters/],
    ['/var/lib/dlrn/commits.sqlite', /expected a database URL/],
  ])('refuses %s', (url, message) => {
    expect(() => sqliteFileOfUrl(url, '/srv')).toThrow(message);
  });
});
