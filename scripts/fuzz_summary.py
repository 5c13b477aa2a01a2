"""Summarises schemathesis NDJSON reports: requests sent, HTTP statuses, and GraphQL error codes.
Exits 1 when any answer was a 5xx or carried the code INTERNAL (the fuzzing run's two nevers)."""
import base64
import collections
import json
import sys

requests, statuses, codes = 0, collections.Counter(), collections.Counter()
for path in sys.argv[1:]:
    for line in open(path, encoding="utf-8"):
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        for interaction in finished["recorder"]["interactions"].values():
            response = interaction.get("response")
            requests += 1
            if not response:
                statuses["no answer"] += 1
                continue
            statuses[response["status_code"]] += 1
            content = response.get("content") or {}
            body = base64.b64decode(content["$base64"]) if "$base64" in content else b""
            try:
                answer = json.loads(body or b"{}")
            except ValueError:
                codes["(not JSON)"] += 1
                continue
            for error in answer.get("errors") or []:
                codes[(error.get("extensions") or {}).get("code", "(no code)")] += 1
server_errors = sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 500)
print(f"requests: {requests}")
print("HTTP statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items(), key=str)))
print("error codes: " + ", ".join(f"{c}: {n}" for c, n in codes.most_common()))
print(f"server errors (5xx): {server_errors}; INTERNAL: {codes['INTERNAL']}")
sys.exit(1 if server_errors or codes["INTERNAL"] or statuses["no answer"] else 0)
