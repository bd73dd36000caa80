-- Socket activation: listen on the sockets systemd passes (a .socket unit
-- with ListenStream= and PassCredentials=true). `systemd` is a global
-- sentinel value, not the string "systemd".

local backend = mysql_resolve('/run/mysqld/mysqld.sock')
local blocked = {}

mysql_listen(systemd, {
   on_connect = function(client)
      if client.uid ~= nil and blocked[client.uid] then
         return client:err('Blocked')
      end
   end,
   on_handshake_response = function(client, handshake_response)
      client.account = handshake_response.user
      return client:connect(backend, handshake_response)
   end,
})

-- Populate all I/O buffers at startup (less waiting for the kernel later).
populate_io_buffers = true

-- `systemctl reload` sends SIGHUP, which calls this function.
function reload()
   blocked = {}
   print('block list cleared')
end
