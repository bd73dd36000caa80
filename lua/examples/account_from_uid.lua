-- Unix-socket clients (e.g. PHP in per-user containers) log in as the
-- database user that belongs to their uid, whatever user name they send.
-- The proxy knows the backend passwords; the client's password is ignored.

local backend = mysql_resolve('/run/mysqld/mysqld.sock')

-- uid -> backend credentials. password_sha1 (20 raw bytes) would work too;
-- see password_sha1.lua.
local accounts = {
   [1001] = { user = 'shop', password = 'shop-secret' },
   [1002] = { user = 'blog', password = 'blog-secret' },
}

mysql_listen('/run/myproxy/myproxy.sock', {
   on_connect = function(client)
      if client.uid == nil then
         return client:err('Only unix-socket clients are served here')
      end
      local account = accounts[client.uid]
      if account == nil then
         return client:err('No database account for uid ' .. client.uid)
      end
      client.account = account.user
      client.notes.account = account
   end,

   on_handshake_response = function(client, handshake_response)
      local account = client.notes.account
      return client:connect(backend, {
         user = account.user,
         password = account.password,
         database = handshake_response.database,
      })
   end,
})
