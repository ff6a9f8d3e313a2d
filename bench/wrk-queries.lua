-- wrk script: each request asks the next query of QUERIES_FILE (one per
-- line, URL-encoded by bench/serve.sh) on PATH_PREFIX, e.g.
--   PATH_PREFIX=/api/kbs/bench/search?q= QUERIES_FILE=q.txt wrk -s bench/wrk-queries.lua URL
-- Each wrk thread starts at a different offset so threads do not ask in step.
local queries = {}
local prefix = os.getenv("PATH_PREFIX")
for line in io.lines(os.getenv("QUERIES_FILE")) do
  queries[#queries + 1] = line
end
local counter = 0
local thread_index = 0

function setup(thread)
  thread:set("offset", thread_index * 97)
  thread_index = thread_index + 1
end

function request()
  counter = counter + 1
  local q = queries[((counter + offset) % #queries) + 1]
  return wrk.format("GET", prefix .. q)
end
