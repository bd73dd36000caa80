-- Log in to the backend with stored SHA1 digests instead of clear-text
-- passwords (mysql_native_password needs only SHA1(password)). The digests
-- are kept as hex here and converted to the 20 raw bytes client:connect()
-- expects. Read-only users are sent to read-only servers where possible.

local backend = mysql_resolve('[::1]:3306')

local function from_hex(hex)
   return (hex:gsub('..', function(pair) return string.char(tonumber(pair, 16)) end))
end

-- user -> SHA1 of the backend password, e.g. `printf %s 'secret' | sha1sum`
local digests = {
   app = from_hex('e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4'),
   report = from_hex('2aae6c35c94fcfb415dbe95f408b9ce91ee846ed'),
}

mysql_listen('127.0.0.1:3307', {
   on_handshake_response = function(client, handshake_response)
      local digest = digests[handshake_response.user]
      if digest == nil then
         return client:err('Unknown user ' .. handshake_response.user)
      end
      return client:connect(backend, {
         user = handshake_response.user,
         password_sha1 = digest,
         database = handshake_response.database,
      }, { read_only = handshake_response.user == 'report' })
   end,
})
