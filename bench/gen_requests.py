#!/usr/bin/python3
"""N random decision requests (JSON lines) over mic-standard's vocabulary."""
import json, random, sys
random.seed(7)
roles = ["staff", "security-manager", "system-staff", "auditor", "ciso"]
depts = ["soumu", "johoseisaku", "shimin", "zeimu", "fukushi", "kyouiku", "shoubou"]
segs = ["mynumber", "lgwan", "internet"]
acts = ["read", "write", "copy", "print", "send", "take_out", "transfer", "store"]
out = sys.stdout
for i in range(int(sys.argv[1])):
    r = {"subject": {"id": f"u{i % 1000}", "roles": [random.choice(roles)], "department": random.choice(depts),
                     "mfa": random.random() < 0.7, "terminal": {"segment": random.choice(segs), "issued": random.random() < 0.9}},
         "action": random.choice(acts),
         "resource": {"classification": {"confidentiality": random.randint(1, 3), "integrity": random.randint(1, 2),
                                         "availability": random.randint(1, 2)},
                      "department": random.choice(depts), "segment": random.choice(segs)},
         "context": {"channel": random.choice(["mail", "web", "file-transfer"]), "destination_segment": random.choice(segs)}}
    out.write(json.dumps(r, separators=(",", ":")) + "\n")
