# SPDX-License-Identifier: MIT
"""dfk-conform's rule table (conformance/lib/rules.c) against the manual's rules
(fixtures/dfk38ux267/rules.ini, read here on its own) and the tests the tool
registers: every rule of the fixture has exactly one row, no row names a rule
the fixture lacks, every test a row names exists, every rule without a test
says why. The JUnit report carries the rule ids of each test."""
import configparser
import os
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from emu import CONFORM, ROOT, Emulator

FIXTURES = os.path.join(ROOT, "fixtures", "dfk38ux267")
STATUSES = ("checked", "not checkable", "not yet checked")
SUMMARY_RE = re.compile(r"^(\d+) rules: (\d+) checked, (\d+) not checkable, (\d+) not yet checked$")


def fixture_rules():
    """{id: section} of rules.ini, in file order."""
    cp = configparser.ConfigParser(interpolation=None, strict=True)
    cp.optionxform = str
    with open(os.path.join(FIXTURES, "rules.ini"), encoding="utf-8") as f:
        cp.read_file(f)
    return {name[len("rule."):]: cp[name]["section"] for name in cp.sections() if name.startswith("rule.")}


def run(*args):
    r = subprocess.run([CONFORM] + list(args), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, "dfk-conform %s: exit %d\n%s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr)
    return r.stdout


@pytest.fixture(scope="module")
def listing():
    """(rows, summary) of --list-rules: rows as dicts, summary as the numbers of its last line."""
    rows, summary = [], None
    for line in run("--list-rules").splitlines():
        if "\t" not in line:
            m = SUMMARY_RE.match(line)
            assert m and summary is None, "unexpected line in --list-rules: %r" % line
            summary = tuple(int(x) for x in m.groups())
            continue
        f = line.split("\t")
        assert len(f) in (4, 5) and f[2] in STATUSES, "malformed --list-rules line: %r" % line
        row = {"id": f[0], "section": f[1], "status": f[2]}
        if f[2] == "checked":
            row["tests"] = f[3].split(" ")
            row["note"] = f[4] if len(f) == 5 else ""
        else:
            assert len(f) == 4, line
            row["tests"] = []
            row["note"] = f[3]
        rows.append(row)
    assert summary is not None, "--list-rules printed no summary"
    return rows, summary


@pytest.fixture(scope="module")
def tests():
    names = run("--list-tests").split()
    assert names and all(re.fullmatch(r"[A-Za-z0-9_]+/[A-Za-z0-9_]+", n) for n in names), names
    return set(names)


def test_every_fixture_rule_exactly_once(listing):
    rows, _ = listing
    want = fixture_rules()
    got = [r["id"] for r in rows]
    dupes = sorted({i for i in got if got.count(i) > 1})
    assert not dupes, "rules listed more than once: %s" % dupes
    missing = [i for i in want if i not in got]
    unknown = [i for i in got if i not in want]
    assert not missing, "rules of rules.ini without a row in conformance/lib/rules.c: %s" % missing
    assert not unknown, "rows of conformance/lib/rules.c that rules.ini does not have: %s" % unknown
    wrong = [(r["id"], r["section"], want[r["id"]]) for r in rows if r["section"] != want[r["id"]]]
    assert not wrong, "sections differ from rules.ini (id, listed, rules.ini): %s" % wrong


def test_named_tests_exist(listing, tests):
    rows, _ = listing
    unknown = sorted({(r["id"], t) for r in rows for t in r["tests"] if t not in tests})
    assert not unknown, "rules naming tests that --list-tests does not have: %s" % unknown


def test_every_rule_has_tests_or_a_reason(listing):
    rows, _ = listing
    assert not [r["id"] for r in rows if r["status"] == "checked" and not r["tests"]]
    assert not [r["id"] for r in rows if r["status"] != "checked" and not r["note"].strip()]


def test_summary_counts(listing):
    rows, (total, checked, not_checkable, not_yet) = listing
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in STATUSES}
    assert (total, checked, not_checkable, not_yet) == (
        len(rows), counts["checked"], counts["not checkable"], counts["not yet checked"])
    print("\n%d rules of manual section 5: %d checked, %d not checkable, %d not yet checked" % (
        total, checked, not_checkable, not_yet))
    for r in rows:
        if r["status"] != "checked":
            print("  %s (%s) %s: %s" % (r["id"], r["section"], r["status"], r["note"]))


def test_list_and_usage_mention_the_options():
    out = run("--help")
    assert "--list-tests" in out and "--list-rules" in out
    suites = run("--list").split()
    names = run("--list-tests").split()
    assert sorted({n.split("/")[0] for n in names}) == sorted(suites)


def test_junit_names_the_rules_of_each_test(listing, tmp_path):
    """A suite that needs no rig, run with --junit: each test case carries exactly the rule ids
    --list-rules names it under."""
    rows, _ = listing
    junit = tmp_path / "junit.xml"
    with Emulator() as emu:
        r = subprocess.run([CONFORM, "--device", emu.url(), "--fixtures", FIXTURES, "--suite", "dependencies",
                            "--junit", str(junit)], capture_output=True, text=True, timeout=300)
    assert r.returncode in (0, 1), r.stdout + r.stderr
    cases = ET.parse(junit).findall(".//testcase")
    assert cases
    seen = 0
    for c in cases:
        name = "%s/%s" % (c.get("classname"), c.get("name"))
        got = sorted(p.get("value") for p in c.findall("./properties/property[@name='rule']"))
        want = sorted(row["id"] for row in rows if name in row["tests"])
        assert got == want, name
        seen += bool(got)
    assert seen, "no test case of the dependencies suite carries a rule"
