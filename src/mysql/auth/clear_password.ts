/**
 * `mysql_clear_password`: the password followed by a NUL.
 *
 * Spec: https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_authentication_methods_clear_text_password.html
 * @module
 */

/** The auth response: `password ‖ 0x00`. */
export function clearPassword(password: Uint8Array): Uint8Array {
  const out = new Uint8Array(password.length + 1);
  out.set(password);
  return out;
}
