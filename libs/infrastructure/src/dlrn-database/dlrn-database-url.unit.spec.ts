import { describe, expect, it } from 'vitest';
import { maskDatabaseUrl, parseDlrnDatabaseUrl } from './dlrn-database-url.js';

describe("reading DLRN's database_connection URL as SQLAlchemy does", () => {
  describe('when it names a SQLite file', () => {
    it('takes four slashes as an absolute path', () => {
      expect(parseDlrnDatabaseUrl('sqlite:////var/lib/dlrn/commits.sqlite', '/srv')).toEqual({
        kind: 'sqlite',
        label: '/var/lib/dlrn/commits.sqlite',
        file: '/var/lib/dlrn/commits.sqlite',
      });
    });

    it('takes three slashes as a path relative to the working directory', () => {
      expect(parseDlrnDatabaseUrl('sqlite:///commits.sqlite', '/srv/dlrn')).toMatchObject({
        file: '/srv/dlrn/commits.sqlite',
      });
      expect(parseDlrnDatabaseUrl('sqlite:///data/commits.sqlite', '/srv/dlrn')).toMatchObject({
        file: '/srv/dlrn/data/commits.sqlite',
      });
    });
  });

  describe('when it names a MariaDB server', () => {
    it("reads DLRN's documented mysql+pymysql URL, port 3306 by default", () => {
      expect(parseDlrnDatabaseUrl('mysql+pymysql://dlrn:hunter2@db.example.org/dlrn')).toEqual({
        kind: 'mysql',
        label: 'mysql+pymysql://dlrn:***@db.example.org/dlrn',
        host: 'db.example.org',
        port: 3306,
        user: 'dlrn',
        password: 'hunter2',
        database: 'dlrn',
        socketPath: null,
        charset: null,
        ssl: null,
      });
    });

    it.each(['mysql', 'mariadb', 'mysql+mysqlconnector', 'mariadb+pymysql', 'MySQL+PyMySQL'])(
      'accepts the %s scheme',
      (scheme) => {
        expect(parseDlrnDatabaseUrl(`${scheme}://u:p@h:3307/d`)).toMatchObject({
          kind: 'mysql',
          host: 'h',
          port: 3307,
        });
      },
    );

    it('percent-decodes the user and the password, which may hold / and :', () => {
      const location = parseDlrnDatabaseUrl('mysql+pymysql://dl%40rn:p/a:s%40s@[::1]:3306/my%2Ddb');
      expect(location).toMatchObject({ user: 'dl@rn', password: 'p/a:s@s', host: '::1', database: 'my-db' });
      expect(location.label).toBe('mysql+pymysql://dl%40rn:***@[::1]:3306/my%2Ddb');
    });

    it("reads DLRN's documented TLS parameters, charset and unix_socket", () => {
      expect(
        parseDlrnDatabaseUrl(
          'mysql+pymysql://u:p@h/dlrn?ssl_cert=/dir/client-cert.pem&ssl_key=/dir/client-key.pem&charset=utf8',
        ),
      ).toMatchObject({ ssl: { cert: '/dir/client-cert.pem', key: '/dir/client-key.pem' }, charset: 'utf8' });
      expect(parseDlrnDatabaseUrl('mysql+pymysql://u:p@/dlrn?unix_socket=/run/mysqld/mysqld.sock')).toMatchObject({
        socketPath: '/run/mysqld/mysqld.sock',
      });
    });

    it('connects as no user and no password when the URL names none', () => {
      expect(parseDlrnDatabaseUrl('mysql://h/d')).toMatchObject({ user: '', password: '', host: 'h' });
    });
  });

  it('masks any password, even in a URL it cannot read', () => {
    expect(maskDatabaseUrl('mysql+pymysql://dlrn:s3cr/et:x@db/dlrn')).toBe('mysql+pymysql://dlrn:***@db/dlrn');
    expect(maskDatabaseUrl('sqlite:////var/lib/dlrn.sqlite')).toBe('sqlite:////var/lib/dlrn.sqlite');
  });

  it.each([
    ['postgresql://u:secret@db/dlrn', /^postgresql:\/\/u:\*\*\*@db\/dlrn: unsupported scheme 'postgresql'/],
    ['sqlite://', /no database file/],
    ['sqlite:///:memory:', /no database file/],
    ['sqlite:///commits.sqlite?mode=ro', /query parameters/],
    ['/var/lib/dlrn/commits.sqlite', /expected a database URL/],
    ['mysql+pymysql://u:secret@db', /^mysql\+pymysql:\/\/u:\*\*\*@db: no database name/],
    ['mysql+pymysql://u:secret@db:99999/dlrn', /^mysql\+pymysql:\/\/u:\*\*\*@db:99999\/dlrn: invalid port '99999'/],
    ['mysql+pymysql://u:secret@db:port/dlrn', /invalid port 'port'/],
    ['mysql+pymysql://u:secret@/dlrn', /no host/],
    ['mysql+pymysql://u:secret@db/dlrn?init_command=DROP', /unsupported URL parameter 'init_command'/],
    ['mysql+pymysql://u:secret@db/dlrn?charset=koi8r', /unsupported charset 'koi8r'/],
    ['mysql+pymysql://u:secret@db/dlrn?ssl_cert=/c.pem', /ssl_cert and ssl_key go together/],
    ['mysql+pymysql://u:sec%zzret@db/dlrn', /^mysql\+pymysql:\/\/u:\*\*\*@db\/dlrn: the password is not valid/],
  ])('refuses %s', (url, message) => {
    expect(() => parseDlrnDatabaseUrl(url, '/srv')).toThrow(message);
    expect(() => parseDlrnDatabaseUrl(url, '/srv')).not.toThrow(/secret/);
  });
});
