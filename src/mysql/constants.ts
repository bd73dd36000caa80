/**
 * Wire constants of the MySQL client/server protocol.
 *
 * Spec: https://dev.mysql.com/doc/dev/mysql-server/latest/PAGE_PROTOCOL.html
 * (capability flags: group__group__cs__capabilities__flags.html, commands:
 * page_protocol_command_phase.html, status flags: mysql__com_8h.html) and
 * https://mariadb.com/kb/en/clientserver-protocol/ for the MariaDB parts.
 * @module
 */

/**
 * Capability flags (`CLIENT_*`). Bit 31 does not fit a signed 32-bit integer:
 * combine flags with `(a | b) >>> 0` so results stay non-negative.
 */
export const Capability = {
  LONG_PASSWORD: 0x00000001,
  FOUND_ROWS: 0x00000002,
  LONG_FLAG: 0x00000004,
  CONNECT_WITH_DB: 0x00000008,
  NO_SCHEMA: 0x00000010,
  COMPRESS: 0x00000020,
  ODBC: 0x00000040,
  LOCAL_FILES: 0x00000080,
  IGNORE_SPACE: 0x00000100,
  PROTOCOL_41: 0x00000200,
  INTERACTIVE: 0x00000400,
  SSL: 0x00000800,
  IGNORE_SIGPIPE: 0x00001000,
  TRANSACTIONS: 0x00002000,
  RESERVED: 0x00004000,
  SECURE_CONNECTION: 0x00008000,
  MULTI_STATEMENTS: 0x00010000,
  MULTI_RESULTS: 0x00020000,
  PS_MULTI_RESULTS: 0x00040000,
  PLUGIN_AUTH: 0x00080000,
  CONNECT_ATTRS: 0x00100000,
  PLUGIN_AUTH_LENENC_CLIENT_DATA: 0x00200000,
  CAN_HANDLE_EXPIRED_PASSWORDS: 0x00400000,
  SESSION_TRACK: 0x00800000,
  DEPRECATE_EOF: 0x01000000,
  OPTIONAL_RESULTSET_METADATA: 0x02000000,
  ZSTD_COMPRESSION_ALGORITHM: 0x04000000,
  QUERY_ATTRIBUTES: 0x08000000,
  MULTI_FACTOR_AUTHENTICATION: 0x10000000,
  CAPABILITY_EXTENSION: 0x20000000,
  SSL_VERIFY_SERVER_CERT: 0x40000000,
  REMEMBER_OPTIONS: 0x80000000,
} as const;

/** Whether `caps` contains every bit of `flag`. Safe for bit 31. */
export function hasCapability(caps: number, flag: number): boolean {
  return ((caps & flag) >>> 0) === flag >>> 0;
}

/** Command bytes: the first payload byte of a command-phase packet. */
export const Command = {
  SLEEP: 0x00,
  QUIT: 0x01,
  INIT_DB: 0x02,
  QUERY: 0x03,
  FIELD_LIST: 0x04,
  CREATE_DB: 0x05,
  DROP_DB: 0x06,
  REFRESH: 0x07,
  SHUTDOWN: 0x08,
  STATISTICS: 0x09,
  PROCESS_INFO: 0x0a,
  CONNECT: 0x0b,
  PROCESS_KILL: 0x0c,
  DEBUG: 0x0d,
  PING: 0x0e,
  TIME: 0x0f,
  DELAYED_INSERT: 0x10,
  CHANGE_USER: 0x11,
  BINLOG_DUMP: 0x12,
  TABLE_DUMP: 0x13,
  CONNECT_OUT: 0x14,
  REGISTER_SLAVE: 0x15,
  STMT_PREPARE: 0x16,
  STMT_EXECUTE: 0x17,
  STMT_SEND_LONG_DATA: 0x18,
  STMT_CLOSE: 0x19,
  STMT_RESET: 0x1a,
  SET_OPTION: 0x1b,
  STMT_FETCH: 0x1c,
  DAEMON: 0x1d,
  BINLOG_DUMP_GTID: 0x1e,
  RESET_CONNECTION: 0x1f,
} as const;

/** Server status flags (`SERVER_*`) in OK and EOF packets. */
export const ServerStatus = {
  IN_TRANS: 0x0001,
  AUTOCOMMIT: 0x0002,
  MORE_RESULTS_EXISTS: 0x0008,
  NO_GOOD_INDEX_USED: 0x0010,
  NO_INDEX_USED: 0x0020,
  CURSOR_EXISTS: 0x0040,
  LAST_ROW_SENT: 0x0080,
  DB_DROPPED: 0x0100,
  NO_BACKSLASH_ESCAPES: 0x0200,
  METADATA_CHANGED: 0x0400,
  QUERY_WAS_SLOW: 0x0800,
  PS_OUT_PARAMS: 0x1000,
  IN_TRANS_READONLY: 0x2000,
  SESSION_STATE_CHANGED: 0x4000,
} as const;

/** First payload byte of the generic response packets. */
export const Header = {
  OK: 0x00,
  /** AuthMoreData during login (caching_sha2 fast-auth result, public key). */
  AUTH_MORE_DATA: 0x01,
  LOCAL_INFILE: 0xfb,
  /** EOF, the DEPRECATE_EOF OK that ends a result set, and AuthSwitchRequest. */
  EOF: 0xfe,
  AUTH_SWITCH: 0xfe,
  ERR: 0xff,
} as const;

/** Authentication plugin names. */
export const AuthPlugin = {
  NATIVE_PASSWORD: "mysql_native_password",
  CLEAR_PASSWORD: "mysql_clear_password",
  CACHING_SHA2_PASSWORD: "caching_sha2_password",
  /** MariaDB's `ed25519` plugin; the client side is called `client_ed25519`. */
  ED25519: "client_ed25519",
} as const;

/** Character set numbers used by the proxy. */
export const Charset = {
  UTF8_GENERAL_CI: 0x21,
  BINARY: 0x3f,
} as const;

/** Error codes (`ER_*`) the proxy and its tests use. */
export const ErrorCode = {
  HANDSHAKE_ERROR: 1043,
  DBACCESS_DENIED: 1044,
  ACCESS_DENIED: 1045,
  UNKNOWN_COM_ERROR: 1047,
} as const;

/**
 * The errors the proxy itself sends (myproxy-behaviour.md §1): code and
 * SQLSTATE; the message is chosen where the error is raised.
 */
export const ProxyError = {
  /** Handshake error, "Connection error", "Lua error", `client:err()` at login. */
  HANDSHAKE: { code: ErrorCode.HANDSHAKE_ERROR, sqlState: "08S01" },
  /** `client:err()` in `on_init_db`. */
  INIT_DB_DENIED: { code: ErrorCode.DBACCESS_DENIED, sqlState: "42000" },
  /** Backend failure during the command phase. */
  BACKEND_FAILURE: { code: ErrorCode.UNKNOWN_COM_ERROR, sqlState: "08S01" },
} as const;

/** Largest payload of one packet; a payload this long continues in the next one. */
export const MAX_PAYLOAD = 0xffffff;

/** Bytes in a packet header: 3-byte length and 1-byte sequence id. */
export const HEADER_SIZE = 4;

/** Length of the auth-plugin nonce ("scramble") in greetings and switches. */
export const NONCE_LENGTH = 20;

/** What the proxy announces to its clients (myproxy-behaviour.md §1). */
export const ProxyGreeting = {
  CAPABILITIES: 0x818ff20f,
  CHARSET: Charset.UTF8_GENERAL_CI,
  STATUS: ServerStatus.AUTOCOMMIT,
  AUTH_PLUGIN: AuthPlugin.CLEAR_PASSWORD,
  SERVER_VERSION: "5.7.30",
} as const;

/** Max packet size and charset the proxy sends to backends (behaviour.md §2). */
export const BackendHandshake = {
  MAX_PACKET_SIZE: 0x01000000,
  CHARSET: Charset.UTF8_GENERAL_CI,
} as const;
