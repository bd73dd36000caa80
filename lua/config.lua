-- myproxy configuration for local development (`deno task start`).
--
-- This file is a Lua 5.3 script, run once at startup. It must call
-- mysql_listen() at least once. See docs/lua.md for the whole API.
--
-- Try it: start a MariaDB on 127.0.0.1:3306, run `deno task start`, then
--   mariadb --protocol=tcp -h 127.0.0.1 -P 3307 -u myuser -p
-- (the proxy asks for the clear-text password; MariaDB's client allows that).

-- The backend. Create SocketAddress objects at startup: a host name is
-- resolved here, once, instead of for every login. Numeric addresses and
-- paths ('/run/mysqld/mysqld.sock', '@abstract') need no resolver.
local backend = mysql_resolve('127.0.0.1:3306')

local handler = {}

-- Runs as soon as a client connects, before the greeting is sent.
-- Inspect client.pid/uid/gid (unix sockets only), remember things in
-- client.notes, change client.server_version, or refuse with client:err().
function handler.on_connect(client)
   client.notes.connected_at = os.time()
end

-- Decides a login. handshake_response has user, password and (if the
-- client sent one) database. Return client:connect() to log in to a
-- backend on the client's behalf, or client:err() to refuse.
function handler.on_handshake_response(client, handshake_response)
   if handshake_response.user == 'root' then
      return client:err('root may not log in through the proxy')
   end

   -- The account names the customer in log lines and chooses the cluster node.
   client.account = handshake_response.user
   return client:connect(backend, handshake_response)
end

-- Runs once after the backend accepted the login.
function handler.on_command_phase(client)
   print('logged in after ' .. (os.time() - client.notes.connected_at) .. ' s')
end

-- TCP on the loopback interface. For a unix socket (which gives
-- client.pid/uid/gid), allow the path with --allow-read/--allow-write and use
--   mysql_listen('/run/myproxy/myproxy.sock', handler)
mysql_listen('127.0.0.1:3307', handler)

-- Called on SIGHUP (systemctl reload); optional.
function reload()
   print('reload requested; nothing to do')
end
