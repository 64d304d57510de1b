# SPDX-License-Identifier: MIT
"""The manual pages of man/ against the programs they describe.

* Every page formats without a single warning, both under groff with all warnings
  on (`groff -man -ww -z`: the formatter man-db renders pages with) and under
  mandoc's linter (`mandoc -T lint -W warning`: it also knows the conventions of
  man(7) that groff lets pass). Style hints (-W style) are not failures.
* Each program's `--help` and its page agree on the options, both ways: every long
  and short option `--help` prints is a tag in the page's OPTIONS section, and every
  long option tagged there (but --help) is one `--help` prints. A new option without its
  documentation, or a page that still documents a removed one, fails here.
* dfk-emu-io(7) documents every request the I/O side channel's own `help` lists.
* `make install` installs every page, in man1 or man7 by its section.

Fast: four `--help` runs, one emulator start, a `make -n`.
"""
import os
import re
import shutil
import subprocess

import pytest

from dfk_io import IoChannel
from emu import BUILD, ROOT

MAN = os.path.join(ROOT, "man")
PAGES = {"dfk-emu": "dfk-emu.1", "dfk-conform": "dfk-conform.1", "dfk-bench": "dfk-bench.1",
         "dfk-trace": "dfk-trace.1", "dfk-drivertest": "dfk-drivertest.1", "dfk-uvc-map": "dfk-uvc-map.1"}
IO_PAGE = "dfk-emu-io.7"
ALL_PAGES = sorted(PAGES.values()) + [IO_PAGE]


def _tool(name):
    path = shutil.which(name)
    if not path:
        pytest.fail("%s is not installed; ci/deps.sh installs it (Debian package %s)"
                    % (name, {"groff": "groff-base"}.get(name, name)), pytrace=False)
    return path


def _page(name):
    path = os.path.join(MAN, name)
    assert os.path.isfile(path), "man/%s is missing" % name
    return path


# ---------------------------------------------------------------------------------------------
# a little roff: the text of a macro line, the tags of a section
# ---------------------------------------------------------------------------------------------

_ESCAPES = [
    (re.compile(r"\\f(\[[^]]*\]|\(..|.)"), ""),     # font changes
    (re.compile(r"\\[c&%]"), ""),                     # \c \& \% (no output of their own)
    (re.compile(r"\\-"), "-"),
    (re.compile(r"\\~"), " "),
    (re.compile(r"\\\(mu"), "x"),
    (re.compile(r"\\e"), "\\\\"),
]
_ARG = re.compile(r'"((?:[^"]|"")*)"|(\S+)')
_ALTERNATING = {"BI", "BR", "IB", "IR", "RB", "RI"}


def roff_text(line):
    """What a text or font-macro line prints (no line filling, no hyphenation)."""
    if line.startswith((".", "'")):
        macro, _, rest = line[1:].partition(" ")
        args = [m.group(1).replace('""', '"') if m.group(1) is not None else m.group(2)
                for m in _ARG.finditer(rest)]
        line = ("" if macro in _ALTERNATING else " ").join(args)
    for rx, repl in _ESCAPES:
        line = rx.sub(repl, line)
    return line


def section_tags(path, section):
    """The tag lines of the .TP items of a section (.SH), as text."""
    tags, inside, take_next = [], False, False
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.startswith('.\\"'):
                continue
            if line.startswith(".SH"):
                inside = roff_text(line).strip().strip('"') == section
                continue
            if not inside:
                continue
            if take_next:
                tags.append(roff_text(line))
                take_next = False
            elif line.startswith(".TP"):
                take_next = True
    return tags


LONG = re.compile(r"(?<![\w-])--[a-z0-9][a-z0-9-]*")
SHORT = re.compile(r"(?<![\w-])-[A-Za-z](?![\w-])")


def help_options(program):
    """The options `program --help` prints: the left column of its option lines."""
    out = subprocess.run([os.path.join(BUILD, program), "--help"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=30, check=False)
    assert out.returncode == 0, "%s --help exited %d: %s" % (program, out.returncode, out.stderr.decode())
    longs, shorts = set(), set()
    for line in out.stdout.decode().splitlines():
        m = re.match(r"^ {1,4}(-\S.*?)(?: {2,}|$)", line)
        if m:
            longs.update(LONG.findall(m.group(1)))
            shorts.update(SHORT.findall(m.group(1)))
    assert longs, "%s --help lists no options" % program
    return longs, shorts


@pytest.fixture(scope="module")
def programs(build_dir):
    missing = [p for p in PAGES if not os.access(os.path.join(BUILD, p), os.X_OK)]
    if missing:
        pytest.fail("%s not built in %s: run `make` first" % (", ".join(missing), BUILD), pytrace=False)
    return build_dir


# ---------------------------------------------------------------------------------------------
# the tests
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", ALL_PAGES)
def test_groff_formats_without_warnings(page):
    groff = _tool("groff")
    for device in ("-Tutf8", "-Tps"):
        r = subprocess.run([groff, "-man", "-ww", "-z", device, _page(page)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30, check=False)
        assert r.returncode == 0 and not r.stderr, "groff %s: %s" % (device, r.stderr.decode())


@pytest.mark.parametrize("page", ALL_PAGES)
def test_mandoc_lint_clean(page):
    mandoc = _tool("mandoc")
    r = subprocess.run([mandoc, "-T", "lint", "-W", "warning", _page(page)], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=30, check=False)
    assert r.returncode == 0 and not r.stdout, r.stdout.decode()


@pytest.mark.parametrize("program", sorted(PAGES))
def test_help_and_page_agree(programs, program):
    longs, shorts = help_options(program)
    tags = " ".join(section_tags(_page(PAGES[program]), "OPTIONS"))
    documented_long, documented_short = set(LONG.findall(tags)), set(SHORT.findall(tags))
    assert not longs - documented_long, "%s --help prints options that man/%s does not document: %s" % (
        program, PAGES[program], " ".join(sorted(longs - documented_long)))
    assert not shorts - documented_short, "%s --help prints short options that man/%s does not document: %s" % (
        program, PAGES[program], " ".join(sorted(shorts - documented_short)))
    # --help itself: every program takes it, not every --help prints it
    stale = documented_long - longs - {"--help"}
    assert not stale, "man/%s documents options %s --help does not print: %s" % (
        PAGES[program], program, " ".join(sorted(stale)))


def _request_phrases(help_line):
    """'clock [pause|run|scale X]' -> clock, clock pause, clock run, clock scale;
    'scene light L | scene motion on|off' -> scene light, scene motion."""
    phrases = []
    for alt in re.split(r" \| ", help_line):
        words = alt.split()
        phrases.append(words[0])
        if len(words) > 1 and re.fullmatch(r"[a-z]+", words[1]):
            phrases.append("%s %s" % (words[0], words[1]))
        elif len(words) > 1 and words[1].startswith("[") and "|" in alt:
            inner = alt[alt.index("[") + 1:alt.index("]")]
            phrases.extend("%s %s" % (words[0], opt.split()[0]) for opt in inner.split("|"))
    return phrases


def test_io_page_documents_every_request(emu_factory, tmp_path):
    sock = str(tmp_path / "io")
    emu = emu_factory(args=["--io", sock])
    with IoChannel(sock) as io:
        lines = io.lines("help")
    assert emu.alive()
    tags = section_tags(_page(IO_PAGE), "REQUESTS")
    missing = []
    for line in lines:
        for phrase in _request_phrases(line):
            if not any(re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(phrase), t) for t in tags):
                missing.append(phrase)
    assert not missing, "man/%s lacks the requests: %s" % (IO_PAGE, ", ".join(sorted(set(missing))))


def test_install_puts_every_page_in_its_section(programs, tmp_path):
    r = subprocess.run(["make", "-s", "-n", "-C", ROOT, "install", "BUILD=" + BUILD, "DESTDIR=" + str(tmp_path)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60, check=False)
    assert r.returncode == 0, r.stdout.decode()
    out = r.stdout.decode()
    for page in ALL_PAGES:
        section = page.rsplit(".", 1)[1]
        assert re.search(r"install -m 0644 [^\n]*\bman/%s\b[^\n]*share/man/man%s/" % (re.escape(page), section),
                         out), "make install does not put man/%s into man%s:\n%s" % (page, section, out)
