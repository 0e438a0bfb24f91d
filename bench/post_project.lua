-- wrk script: POST /projects with a JSON body; the body is templated by bench/run.py.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("VINYASA_BENCH_BODY")
