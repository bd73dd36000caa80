/**
 * Sockets passed by systemd socket activation (sd_listen_fds(3)): descriptors
 * 3 … 3+LISTEN_FDS-1, valid only when LISTEN_PID names this process.
 * @module
 */

const SD_LISTEN_FDS_START = 3;

/** The inherited listening descriptors, or an empty list when none were passed. */
export function systemdListenFds(): number[] {
  const count = Number(Deno.env.get("LISTEN_FDS") ?? "0");
  const pid = Deno.env.get("LISTEN_PID");
  if (!Number.isInteger(count) || count <= 0) return [];
  if (pid !== undefined && Number(pid) !== Deno.pid) return [];
  return Array.from({ length: count }, (_, i) => SD_LISTEN_FDS_START + i);
}
