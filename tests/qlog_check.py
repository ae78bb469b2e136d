#!/usr/bin/env python3
"""qlog_check.py - check a qlog file written by hecat (HEv3 events).

usage: qlog_check.py [--schema PATH] [--summary] FILE

FILE must be a qlog JSON-SEQ file (RFC 7464): records of the byte 0x1E,
one JSON object and the byte 0x0A.  Framing is checked strictly, since
tools reading JSON-SEQ silently drop records that are malformed: no
record may be non-UTF-8, non-JSON, a non-object, hold NaN or Infinity
(or a number too large for a double), or repeat a key.

Record 1 is the qlog header; every other record is one hev3 event.  Each
record is validated against docs/qlog/hev3-00.schema.json (a translation
of draft-kuehlewind-happy-qlog's CDDL).  A schema sees one record at a
time, so the rules that span records are checked here:

  - event times never decrease;
  - trace.event_schemas is exactly ["urn:ietf:params:qlog:events:hev3-00"];
  - per he_session_id: every attempt_started has exactly one later
    attempt_outcome with its attempt_id; every dns_query_started exactly
    one later dns_query_finished with its dns_id; connection_selected
    names an attempt whose outcome was "success"; at most one of
    connection_selected / connection_aborted; exactly one metrics, the
    session's last event, whose attempts_total / attempts_success /
    attempts_failure count the starts and outcomes, and whose outcome is
    "success" exactly when a connection was selected.

Silent with exit 0 when FILE is valid (--summary then prints a count per
event name and the number of sessions); otherwise a line per problem on
stderr and exit 1.  Usage errors exit 2.
"""

import argparse
import json
import math
import os
import sys

try:
    import jsonschema
except ImportError:
    print("qlog_check: the python module jsonschema is needed", file=sys.stderr)
    sys.exit(2)

RS, LF = b"\x1e", b"\x0a"
EVENT_SCHEMA = "urn:ietf:params:qlog:events:hev3-00"
DEFAULT_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "..", "docs", "qlog", "hev3-00.schema.json")


class Bad(Exception):
    """A problem with one record: the message of a report line."""


def no_duplicates(pairs):
    """object_pairs_hook for json: refuse an object that repeats a key."""
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise Bad("duplicate key %r" % key)
        obj[key] = value
    return obj


def no_constant(name):
    """parse_constant for json: refuse NaN, Infinity and -Infinity."""
    raise Bad("%s is not JSON" % name)


def finite_float(text):
    """parse_float for json: refuse a number that overflows to infinity."""
    value = float(text)
    if not math.isfinite(value):
        raise Bad("number %s does not fit a double" % text)
    return value


def parse_record(raw):
    """One record's bytes (between RS and its LF) -> a JSON object."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Bad("not UTF-8 (%s)" % e.reason)
    try:
        obj = json.loads(text, object_pairs_hook=no_duplicates,
                         parse_constant=no_constant, parse_float=finite_float)
    except ValueError as e:
        raise Bad("not JSON: %s" % e)
    if not isinstance(obj, dict):
        raise Bad("not a JSON object")
    return obj


def split_records(data, report):
    """The file's bytes -> [(record number, object)]; framing errors reported."""
    if not data:
        report(1, "empty file")
        return []
    if not data.startswith(RS):
        report(1, "does not start with the record separator 0x1E")
        return []
    records = []
    for k, raw in enumerate(data.split(RS)[1:], 1):
        if not raw.endswith(LF):
            report(k, "does not end with 0x0A before the next 0x1E or the end")
            continue
        try:
            records.append((k, parse_record(raw[:-1])))
        except Bad as e:
            report(k, str(e))
    return records


def schema_errors(validator, record):
    """jsonschema's complaints about one record, as 'at PATH: message'."""
    errors = sorted(validator.iter_errors(record),
                    key=lambda e: [str(p) for p in e.absolute_path])
    return ["at /%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message)
            for e in errors]


def check_header(header, report):
    """The header's own rules beyond the schema."""
    trace = header.get("trace")
    schemas = trace.get("event_schemas") if isinstance(trace, dict) else None
    if schemas != [EVENT_SCHEMA]:
        report(1, "trace.event_schemas is %s, not [%s]"
               % (json.dumps(schemas), json.dumps(EVENT_SCHEMA)))


class Session:
    """What one he_session_id has logged so far."""

    def __init__(self, first):
        self.first = first      # record number of its first event
        self.started = {}       # attempt_id -> record of attempt_started
        self.outcomes = {}      # attempt_id -> result
        self.dns = {}           # dns_id -> record of dns_query_started
        self.dns_done = set()
        self.selected = None    # record of connection_selected
        self.aborted = None     # record of connection_aborted
        self.metrics = None     # (record, data) of metrics


def follow_event(s, k, name, data):
    """Apply one event to its session; return the problems it shows."""
    event = name.split(":", 1)[1]
    aid, did = data.get("attempt_id"), data.get("dns_id")
    if s.metrics is not None:
        return ["%s after the session's metrics (record %d)" % (name, s.metrics[0])]
    if event == "attempt_started":
        if aid in s.started or aid in s.outcomes:
            return ["attempt %r started again or after its outcome" % aid]
        s.started[aid] = k
    elif event == "attempt_outcome":
        if aid not in s.started:
            return ["attempt_outcome for attempt %r, which has not started" % aid]
        if aid in s.outcomes:
            return ["second attempt_outcome for attempt %r" % aid]
        s.outcomes[aid] = data["result"]
    elif event == "dns_query_started":
        if did in s.dns:
            return ["dns_query_started again for dns_id %r" % did]
        s.dns[did] = k
    elif event == "dns_query_finished":
        if did not in s.dns:
            return ["dns_query_finished for dns_id %r, which has not started" % did]
        if did in s.dns_done:
            return ["second dns_query_finished for dns_id %r" % did]
        s.dns_done.add(did)
    elif event in ("connection_selected", "connection_aborted"):
        if s.selected is not None or s.aborted is not None:
            return ["%s after the session's connection_%s (record %d)"
                    % (name, "selected" if s.selected else "aborted",
                       s.selected or s.aborted)]
        if event == "connection_aborted":
            s.aborted = k
        elif s.outcomes.get(aid) != "success":
            return ["connection_selected names attempt %r, whose outcome is %s, "
                    "not success" % (aid, s.outcomes.get(aid, "not logged"))]
        else:
            s.selected = k
    elif event == "metrics":
        s.metrics = (k, data)
    return []


def finish_session(sid, s, report):
    """The rules that can only be judged once the session is over."""
    for aid, k in s.started.items():
        if aid not in s.outcomes:
            report(k, "session %r: attempt %r has no attempt_outcome" % (sid, aid))
    for did, k in s.dns.items():
        if did not in s.dns_done:
            report(k, "session %r: dns_id %r has no dns_query_finished" % (sid, did))
    if s.metrics is None:
        report(s.first, "session %r has no metrics event" % sid)
        return
    k, m = s.metrics
    success = sum(1 for r in s.outcomes.values() if r == "success")
    want = {"attempts_total": len(s.started), "attempts_success": success,
            "attempts_failure": len(s.outcomes) - success,
            "outcome": "success" if s.selected is not None else "aborted"}
    for field, value in want.items():
        if m.get(field) != value:
            report(k, "session %r: metrics %s is %s, the events say %s"
                   % (sid, field, json.dumps(m.get(field)), json.dumps(value)))


def event_time(record, header, previous):
    """The event's time on one axis, whatever its time_format."""
    common = header.get("trace", {}).get("common_fields", {})
    fmt = record.get("time_format", common.get("time_format"))
    if fmt == "relative_to_previous_event" and previous is not None:
        return previous + record["time"]
    return record["time"]


def check(data, schema, report):
    """Check a whole file; report(k, message) for each problem.

    Returns the event names in file order and the number of sessions."""
    validator = jsonschema.Draft202012Validator(schema)
    records = split_records(data, report)
    header, names, sessions, previous = None, [], {}, None
    for k, record in records:
        problems = schema_errors(validator, record)
        is_header = "file_schema" in record
        if k == 1 and not is_header:
            problems.insert(0, "the first record is not a qlog header (no file_schema)")
        elif k > 1 and is_header:
            problems.insert(0, "a second qlog header")
        name = record.get("name")
        label = "" if is_header else "%s: " % (name if isinstance(name, str) else "(no name)")
        for p in problems:
            report(k, label + p)
        if problems:
            continue
        if is_header:
            header = record
            check_header(record, report)
            continue
        names.append(name)
        now = event_time(record, header or {}, previous)
        if previous is not None and now < previous:
            report(k, "%s: time %s is before the previous event's %s"
                   % (name, record["time"], previous))
        previous = now
        sid = record["data"]["he_session_id"]
        s = sessions.setdefault(sid, Session(k))
        for p in follow_event(s, k, name, record["data"]):
            report(k, "%s: session %r: %s" % (name, sid, p))
    for sid, s in sessions.items():
        finish_session(sid, s, report)
    return names, len(sessions)


def main(argv):
    ap = argparse.ArgumentParser(prog="qlog_check.py",
                                 description="Check a hecat qlog (HEv3) file.")
    ap.add_argument("--schema", default=DEFAULT_SCHEMA,
                    help="the JSON Schema of one record (default: %(default)s)")
    ap.add_argument("--summary", action="store_true",
                    help="print a count per event name and the number of sessions")
    ap.add_argument("file", metavar="FILE")
    args = ap.parse_args(argv)
    try:
        with open(args.schema, encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        with open(args.file, "rb") as f:
            data = f.read()
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        print("qlog_check: %s" % e, file=sys.stderr)
        return 2
    problems = []

    def report(k, message):
        problems.append(k)
        print("qlog_check: %s: record %d: %s" % (args.file, k, message),
              file=sys.stderr)

    names, nsessions = check(data, schema, report)
    if problems:
        return 1
    if args.summary:
        counts = {}
        for name in names:
            counts[name] = counts.get(name, 0) + 1
        for name, n in counts.items():
            print(name, n)
        print("sessions", nsessions)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
