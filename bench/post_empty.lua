-- wrk: POST with an empty JSON body (bench/serve_denied.sh)
wrk.method = "POST"
wrk.body = "{}"
wrk.headers["Content-Type"] = "application/json"
