#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (fuzz/corpus/<target>/) from the project's own
files: example designs, exercise packs, their Markdown, and hand-made records of each
kind. Run from the repository root; `make fuzz` and the smoke run start from these."""
import base64, glob, hashlib, json, os, re, tomllib, zlib

OUT = "fuzz/corpus"

def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)

examples = [json.load(open(p)) for p in sorted(glob.glob("docs/examples/*.json"))]
packs = {p: open(p).read() for p in sorted(glob.glob("exercises/*.toml"))}

event = {"version": "0", "id": "e1", "detail-type": "QuoteIssued", "source": "dojo.quotes",
         "account": "123456789012", "time": "2026-01-01T00:00:00Z", "region": "us-east-1",
         "resources": ["arn:aws:s3:::b"], "detail": {"premium": 650, "customerId": "c-1",
         "tags": ["a", "b"], "ip": "10.0.0.7", "nested": {"x": None, "y": True}}}
patterns = [
    {"detail-type": ["QuoteIssued"]},
    {"detail": {"premium": [{"numeric": [">", 500, "<=", 1000]}]}},
    {"detail": {"customerId": [{"prefix": "c-"}, {"suffix": "-9"}]}},
    {"detail": {"tags": [{"anything-but": ["c"]}], "ip": [{"cidr": "10.0.0.0/24"}]}},
    {"detail": {"nested": {"x": [None], "y": [True]}, "missing": [{"exists": False}]}},
    {"$or": [{"source": [{"wildcard": "dojo.*"}]}, {"detail": {"premium": [{"equals-ignore-case": "x"}]}}]},
    {"source": [{"anything-but": {"prefix": "aws."}}]},
]
for text in [json.dumps(event), json.dumps(patterns), "[1, 2.5e3, -0, \"\\u00e9\", {}, []]", "3.0000000000000001"]:
    put("json", text)
for ex in examples:
    put("json", json.dumps(ex))
for p in patterns:
    put("eventbridge_pattern", json.dumps(p) + "\0" + json.dumps(event))
for ex in examples:
    for rule in ex.get("topology", {}).get("rules", []):
        put("eventbridge_pattern", json.dumps(rule["pattern"]) + "\0" + json.dumps(event))

message = {"premium": 650, "customer": {"tier": "gold"}, "tags": ["a"]}
attributes = {"kind": {"Type": "String", "Value": "quote"}, "premium": {"Type": "Number", "Value": "650"}}
policies = [{"premium": [{"numeric": [">", 500]}]}, {"customer": {"tier": ["gold", "silver"]}},
            {"$or": [{"premium": [{"exists": True}]}, {"tags": [{"prefix": "a"}]}]},
            {"kind": ["quote"], "premium": [{"numeric": ["<", 700]}]}]
for p in policies:
    put("sns_policy", b"\0" + (json.dumps(p) + "\0" + json.dumps(message)).encode())
    put("sns_policy", b"\1" + (json.dumps(p) + "\0" + json.dumps(attributes)).encode())

for f, t in [("home/+/temp", "home/kitchen/temp"), ("sport/#", "sport"), ("#", "$SYS/x"),
             ("+/+", "/finance"), ("a/b", "a/b/c"), ("+", "")]:
    put("mqtt_topics", f + "\0" + t)

def packet(kind_flags, body):
    n, length = len(body), b""
    while True:
        byte, n = n % 128, n // 128
        length += bytes([byte | (0x80 if n else 0)])
        if not n:
            break
    return bytes([kind_flags]) + length + body

def s(text):
    b = text.encode()
    return len(b).to_bytes(2, "big") + b

connect = packet(0x10, s("MQTT") + bytes([4, 0x02]) + (60).to_bytes(2, "big") + s("client-1"))
publish0 = packet(0x30, s("home/kitchen/temp") + b"21")
publish1 = packet(0x33, s("home/kitchen/temp") + (7).to_bytes(2, "big") + b"{\"t\": 21}")
subscribe = packet(0x82, (1).to_bytes(2, "big") + s("home/+/temp") + bytes([1]))
for p in [connect, publish0, publish1, subscribe, packet(0x40, (7).to_bytes(2, "big")),
          packet(0xC0, b""), packet(0xE0, b""), packet(0x20, bytes([0, 0])),
          packet(0x90, (1).to_bytes(2, "big") + bytes([1])), connect + publish1 + subscribe]:
    put("mqtt_wire", p)

for ex in examples:
    put("designs", b"\0" + json.dumps(ex.get("topology", {})).encode())
    put("designs", b"\1" + json.dumps(ex).encode())
for path, text in packs.items():
    pack = tomllib.loads(text)
    for ex in pack.get("exercise", [pack]):
        for key in ("start", "solution"):
            design = ex.get(key)
            if isinstance(design, dict):
                put("designs", b"\3" + json.dumps(design).encode())
                if "scenario" in design:
                    put("designs", b"\2" + json.dumps(design["scenario"]).encode())
    put("exercise_pack", text)
    for beat in re.findall(r'text = """(.*?)"""', text, re.S):
        put("markdown", beat)
for md in ["[x](javascript:alert(1))", "<script>alert(1)</script>", "![i](JaVaScRiPt:x \"t\")",
           "[a](/learn) and [b](https://example.com?q=1&r=2)", "<img src=x onerror=alert(1)>",
           "[c](java\tscript:x) [d](&#106;avascript:x) <a href=\"javascript:x\">e</a>",
           "# Title\n\n> quote\n\n1. one\n2. `code`\n\n```rust\nfn main() {}\n```\n\n---\n*em* **strong**  \nbreak"]:
    put("markdown", md)

cloudevent = {"specversion": "1.0", "id": "e1", "source": "dojo.customers", "type": "CustomerRegistered",
              "time": "2026-01-01T00:00:00Z", "subject": "customer-1", "datacontenttype": "application/json",
              "data": {"name": "Ada"}, "streamid": "customer-1", "streamversion": 1, "globalposition": 7,
              "correlationid": "c1", "causationid": "cmd-1"}
second = dict(cloudevent, id="e2", type="QuoteRequested", streamid="quote-1", data={"premium": 650})
put("imports", json.dumps(cloudevent) + "\n" + json.dumps(second) + "\n\n")
put("imports", json.dumps(cloudevent) + "\r\n" + json.dumps(cloudevent))

session = {"version": 1, "preset": "quote-journey", "style": "event_carried_state", "ran": True,
           "position": 12, "branches": [{"name": "b", "edits": []}], "compare_with": None}
put("session", b"\0" + json.dumps({"format": "event-dojo-session", "version": 1, "session": session, "history": []}).encode())
packed = zlib.compressobj(9, zlib.DEFLATED, -15)
raw = packed.compress(json.dumps({"version": 1, "session": session}).encode()) + packed.flush()
put("session", b"\1" + b"#session=" + base64.urlsafe_b64encode(raw).rstrip(b"="))

put("stored_records", b"\0" + json.dumps({"format": 1, "position": 3, "skipped": 0, "models": {}}).encode())
lines = "\n".join(json.dumps(dict(cloudevent, id=f"e{i}", globalposition=i, streamversion=i)) for i in (1, 2))
put("stored_records", b"\1" + json.dumps({"first": 1, "last": 2, "events": lines,
    "streams": [["customer-1", 2]], "slots": [0, 0]}).encode())
