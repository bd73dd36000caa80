-- The configuration `deno task demo` runs: every client logs in to the demo
-- MariaDB as itself. tools/demo.ts passes the addresses in the environment.

local handler = {}

function handler.on_connect(client)
  -- On the unix socket, the kernel tells us who connected.
  if client.uid then
    client.account = 'uid' .. client.uid
  end
end

function handler.on_handshake_response(client, handshake_response)
  print('login of ' .. handshake_response.user)
  return client:connect(os.getenv('MYPROXY_DEMO_BACKEND'), handshake_response)
end

function handler.on_init_db(client, database)
  if database == 'mysql' then
    return client:err('The mysql schema is off limits in the demo')
  end
  return client:init_db(database)
end

mysql_listen(os.getenv('MYPROXY_DEMO_LISTEN_TCP'), handler)
mysql_listen(os.getenv('MYPROXY_DEMO_LISTEN_UNIX'), handler)
