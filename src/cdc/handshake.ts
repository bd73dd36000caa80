/**
 * Login and registration: one command per write, then exactly one reply.
 * Only `OK` is success. Blank lines are skipped (MaxScale ≥ 23.08 replies
 * `OK\n\n`); end of stream, an error line or anything else is a failure.
 *
 * See cdc-protocol.md, "Login" and "Register".
 * @module
 */

import type { CdcConnection } from "./connection.ts";
import {
  CdcAuthenticationError,
  CdcConnectionError,
  CdcProtocolError,
  CdcRegistrationError,
  quote,
} from "./errors.ts";

/** Which handshake step a reply answers. */
type Step = "authentication" | "registration";

/** The first non-blank reply line; end of stream is an error. */
async function readReply(conn: CdcConnection, step: Step): Promise<string> {
  for (;;) {
    const line = await conn.readLine("reply");
    if (line === null) {
      throw new CdcConnectionError(
        `Connection closed by the server during ${step}, without a reply`,
      );
    }
    if (line !== "") return line;
  }
}

async function exchange(conn: CdcConnection, step: Step, command: string): Promise<void> {
  await conn.send(command);
  const reply = await readReply(conn, step);
  if (reply === "OK") return;
  if (reply.startsWith("ERR")) {
    const message = `${step === "authentication" ? "Authentication" : "Registration"} failed: ` +
      `server replied ${quote(reply)}`;
    throw step === "authentication"
      ? new CdcAuthenticationError(message, reply)
      : new CdcRegistrationError(message, reply);
  }
  throw new CdcProtocolError(`Unexpected reply to ${step}: ${quote(reply)}`, reply);
}

/** Sends the login message (see `authenticationMessage`) and checks the reply. */
export function authenticate(conn: CdcConnection, loginMessage: string): Promise<void> {
  return exchange(conn, "authentication", loginMessage);
}

/** Sends the `REGISTER` command and checks the reply. */
export function register(conn: CdcConnection, registerCommand: string): Promise<void> {
  return exchange(conn, "registration", registerCommand);
}
