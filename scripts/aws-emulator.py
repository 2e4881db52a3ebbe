#!/usr/bin/env python3
"""`dojo aws compare` against a local AWS emulator (moto's server mode), for every shipped
design: the lab's examples, the scenario presets, and every exercise's solution and
alternative designs that has channels. Then a run interrupted half-way (SIGINT, as Ctrl-C
sends) must leave nothing behind, checked through the emulator's own APIs.

    scripts/aws-emulator.py [--moto DIR] [--dojo PATH] [--jobs N] [--only NAME]

moto runs on 127.0.0.1 on a free port, started and stopped here. Prints one line per
design and every difference the report does not explain; exits 1 when a design's report
has an unexpected difference that docs/aws.md does not list, or when the interrupted run
left something behind.
"""
import argparse
import concurrent.futures
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto(moto_dir):
    port = free_port()
    log = open(tempfile.mktemp(prefix="moto-", suffix=".log"), "w")
    proc = subprocess.Popen(
        [str(Path(moto_dir) / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            return proc, url
        except Exception:
            if proc.poll() is not None:
                sys.exit(f"moto_server exited at start; see {log.name}")
            time.sleep(0.2)
    proc.kill()
    sys.exit("moto_server did not answer within 20 s")


def designs(dojo, work):
    """(name, script path) for every shipped design with channels."""
    out = []
    for f in sorted((ROOT / "docs" / "examples").glob("*.json")):
        out.append((f"example {f.stem}", f))
    for f in sorted((ROOT / "engine" / "presets").glob("*.json")):
        out.append((f"preset {f.stem}", f))
    listing = subprocess.run([dojo, "exercise", "list"], check=True, capture_output=True, text=True).stdout
    for line in listing.splitlines():
        ident, kind, alternatives, _title = line.split("\t", 3)
        if kind == "schema":
            continue
        for alt in [None] + list(range(int(alternatives))):
            args = [dojo, "export", "script", "--exercise", ident]
            name = f"exercise {ident}"
            if alt is not None:
                args += ["--alternative", str(alt)]
                name += f" (alternative {alt})"
            path = work / (name.replace(" ", "_").replace("(", "").replace(")", "") + ".json")
            path.write_text(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
            out.append((name, path))
    return out


# Runs at the same time use different regions: each region has its own default event
# bus, and a rule on it sees every event put on it, whoever put it.
REGIONS = queue.Queue()
for r in ["us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1",
          "ap-south-1", "ap-northeast-1", "ap-southeast-1", "ap-southeast-2", "sa-east-1", "ca-central-1"]:
    REGIONS.put(r)


def env(url, region="us-east-1"):
    e = dict(os.environ)
    # The emulator takes any keys; these never leave the machine.
    e.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION=region)
    e.pop("AWS_PROFILE", None)
    return e


def compare(dojo, url, index, name, path):
    started = time.time()
    region = REGIONS.get()
    try:
        p = subprocess.run(
            [dojo, "aws", "compare", str(path), "--json", "--endpoint", url, "--prefix", f"dojo-t{index}-"],
            capture_output=True, text=True, env=env(url, region))
    finally:
        REGIONS.put(region)
    lines = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
    return name, p.returncode, lines, p.stderr, time.time() - started


def leftovers(url, prefix):
    """Everything on the emulator whose name carries the prefix, through its APIs."""
    import boto3  # installed with moto[server]
    kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
              aws_secret_access_key="testing")
    sqs, sns, events = boto3.client("sqs", **kw), boto3.client("sns", **kw), boto3.client("events", **kw)
    found = list(sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls", []))
    found += [t["TopicArn"] for t in sns.list_topics()["Topics"] if f":{prefix}" in t["TopicArn"]]
    found += [s["SubscriptionArn"] for s in sns.list_subscriptions()["Subscriptions"] if f":{prefix}" in s["TopicArn"]]
    buses = [b["Name"] for b in events.list_event_buses(NamePrefix=prefix)["EventBuses"]]
    found += buses
    for bus in ["default"] + buses:
        found += [r["Name"] for r in events.list_rules(NamePrefix=prefix, EventBusName=bus)["Rules"]]
    found += [a["ArchiveName"] for a in events.list_archives(NamePrefix=prefix)["Archives"]]
    return found


def interrupted_run(dojo, url, script):
    """SIGINT half-way through playing: the run deletes what it made, then exits."""
    prefix = "dojo-interrupt-"
    p = subprocess.Popen([dojo, "aws", "run", str(script), "--endpoint", url, "--prefix", prefix],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(url))
    line = p.stderr.readline()
    if "playing" not in line:
        p.kill()
        return False, f"the run did not start playing: {line}{p.stderr.read()}"
    time.sleep(1)
    during = leftovers(url, prefix)
    p.send_signal(signal.SIGINT)
    try:
        _out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        return False, "the interrupted run did not exit within 60 s"
    after = leftovers(url, prefix)
    ok = bool(during) and not after and p.returncode == 2 and "stopped by Ctrl-C" in err
    return ok, (f"made {len(during)} resources; SIGINT; exit {p.returncode}; left behind {len(after)}"
                + ("" if ok else f"\n{line}{err}\nleft: {after}"))


def listed_differences():
    """The designs docs/aws.md lists with their number of unexpected differences:
    lines `- ``design`` (N): why`."""
    listed = {}
    for line in (ROOT / "docs" / "aws.md").read_text().splitlines():
        m = re.match(r"- `([^`]+)` \((\d+)\):", line)
        if m:
            listed[m.group(1)] = int(m.group(2))
    return listed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--moto", default=str(ROOT / ".tools" / "moto"))
    ap.add_argument("--dojo", default=str(ROOT / "target" / "debug" / "dojo"))
    ap.add_argument("--jobs", type=int, default=4, help="at most 12")
    ap.add_argument("--only")
    args = ap.parse_args()
    args.jobs = max(1, min(args.jobs, REGIONS.qsize()))
    sys.path.insert(0, str(next((Path(args.moto) / "lib").glob("python3*/site-packages"))))
    proc, url = start_moto(args.moto)
    failures = []
    totals = dict(designs=0, match=0, differ=0, sim_only=0, aws_only=0, unexpected=0)
    try:
        with tempfile.TemporaryDirectory() as work:
            todo = [d for d in designs(args.dojo, Path(work)) if not args.only or args.only in d[0]]
            listed = listed_differences()
            with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
                jobs = [pool.submit(compare, args.dojo, url, i, n, p) for i, (n, p) in enumerate(todo)]
                for job in jobs:
                    name, code, lines, err, secs = job.result()
                    summary = next((l for l in lines if l.get("record") == "summary"), None)
                    if code == 2 or summary is None:
                        failures.append(f"{name}: dojo aws compare failed (exit {code}): {err.strip()}")
                        print(f"FAILED  {name}: {err.strip()}")
                        continue
                    totals["designs"] += 1
                    for k in ("match", "differ", "sim_only", "aws_only", "unexpected"):
                        totals[k] += summary[k]
                    print(f"{'ok' if summary['unexpected'] == 0 else 'differs':8}{name}: {summary['match']} match, "
                          f"{summary['differ']} differ, {summary['sim_only']} only in the simulation, "
                          f"{summary['aws_only']} only on AWS, {summary['unexpected']} unexpected ({secs:.0f} s)")
                    for l in lines:
                        if l.get("expected") is False:
                            what = l.get("what") or f"{l['status']} on {l['queue']}: {l['content'][:120]} ({l.get('reason') or 'no known reason'})"
                            print(f"        unexpected: {what}")
                    if summary["unexpected"] != listed.get(name, 0):
                        failures.append(f"{name}: {summary['unexpected']} unexpected difference(s); docs/aws.md lists {listed.get(name, 0)}")
            print("emulator compare: {designs} designs, {match} deliveries match, {differ} differ, "
                  "{sim_only} only in the simulation, {aws_only} only on AWS, {unexpected} unexpected".format(**totals))
            if not args.only:
                ok, what = interrupted_run(args.dojo, url, ROOT / "docs" / "examples" / "dlq-and-visibility.json")
                print(f"interrupted run: {what}")
                if not ok:
                    failures.append(f"interrupted run: {what}")
    finally:
        proc.terminate()
        proc.wait(10)
    for f in failures:
        print(f"FAIL {f}")
    print(f"aws emulator: {totals['designs']} designs compared, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
