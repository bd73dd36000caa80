-- Each user may only use the databases whose names start with
-- "<user>_"; USE/COM_INIT_DB to any other database is refused, and a
-- login naming another database is refused too.

local backend = mysql_resolve('127.0.0.1:3306')

local function allowed(client, database)
   local prefix = client.notes.user .. '_'
   return database:sub(1, #prefix) == prefix
end

mysql_listen('127.0.0.1:3307', {
   on_handshake_response = function(client, handshake_response)
      client.notes.user = handshake_response.user
      client.account = handshake_response.user
      local database = handshake_response.database
      if database ~= nil and not allowed(client, database) then
         return client:err('Access denied to database ' .. database)
      end
      return client:connect(backend, handshake_response)
   end,

   -- With on_init_db present, every COM_INIT_DB (except one naming the
   -- current database) asks this function first.
   on_init_db = function(client, database)
      if not allowed(client, database) then
         return client:err('Access denied to database ' .. database)
      end
      return client:init_db(database)
   end,
})
