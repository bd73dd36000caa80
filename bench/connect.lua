-- sysbench script: each event is one connect + login + SELECT 1 + quit, so
-- "transactions per sec." is the login rate. Run by bench/run.ts.

function thread_init()
   drv = sysbench.sql.driver()
end

function event()
   local con = drv:connect()
   con:query("SELECT 1")
   con:disconnect()
end
