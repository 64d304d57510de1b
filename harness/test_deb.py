# SPDX-License-Identifier: MIT
"""The Debian package (debian/, `make deb`): built in a clean copy of the tree, unpacked into a
scratch root with dpkg-deb -x, and the installed programs run from there.

The package is built once per session by `make deb BUILD=$DFK_BUILD` (ci/deb.sh: dpkg-buildpackage
-us -uc -b in a copy holding only the files git knows, then lintian, which fails the build on an
error). A .deb already in $DFK_BUILD/deb is reused when it is newer than every file of the tree
that git knows (and its lintian report is there): so `make deb && make pytest` builds it once.
It takes about 1.5 to 2.5 minutes on 2 cores (the project's build, with dpkg-buildflags' hardening,
and dh's packaging), lintian about 10 to 25 s.
"""
import glob
import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROGRAMS = ["dfk-emu", "dfk-conform", "dfk-bench", "dfk-drivertest", "dfk-trace",
            "dfk-adapter-u3v", "dfk-adapter-aravis", "dfk-uvc-map"]


def _version():
    with open(os.path.join(ROOT, "debian", "changelog")) as fh:
        return re.match(r"dfk-emu \(([^)]+)\)", fh.readline()).group(1)


def _tree_mtime():
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                         capture_output=True, check=True).stdout
    newest = 0.0
    for f in out.split(b"\0"):
        if f:
            try:
                newest = max(newest, os.lstat(os.path.join(ROOT.encode(), f)).st_mtime)
            except FileNotFoundError:
                pass
    return newest


@pytest.fixture(scope="module")
def deb(build_dir):
    for tool in ("dpkg-buildpackage", "dh", "lintian", "dpkg-deb"):
        if shutil.which(tool) is None:
            pytest.fail("%s is missing: `bash ci/deps.sh` installs debhelper, lintian and dpkg-dev" % tool,
                        pytrace=False)
    outdir = os.path.join(build_dir, "deb")
    version = _version()
    path = os.path.join(outdir, "dfk-emu_%s_amd64.deb" % version)
    report = os.path.join(outdir, "lintian.txt")
    fresh = (os.path.exists(path) and os.path.exists(report)
             and os.path.getmtime(report) >= os.path.getmtime(path) > _tree_mtime())
    if not fresh:
        r = subprocess.run(["make", "-s", "BUILD=" + build_dir, "deb"], cwd=ROOT, capture_output=True, text=True,
                           timeout=900)
        assert r.returncode == 0, "make deb failed:\n" + r.stdout[-6000:] + r.stderr[-3000:]
    assert os.path.exists(path), os.listdir(outdir)
    return {"path": path, "lintian": report, "version": version}


@pytest.fixture(scope="module")
def scratch_root(deb, tmp_path_factory):
    root = str(tmp_path_factory.mktemp("debroot"))
    subprocess.run(["dpkg-deb", "-x", deb["path"], root], check=True)
    return root


def test_lintian_reports_no_error(deb):
    with open(deb["lintian"]) as fh:
        text = fh.read()
    tags = [line for line in text.splitlines() if re.match(r"[EWIX]: ", line)]
    errors = [t for t in tags if t.startswith("E: ")]
    assert errors == [], "\n".join(tags)


def test_control_fields(deb):
    fields = subprocess.run(["dpkg-deb", "-f", deb["path"], "Package", "Version", "Architecture", "Depends"],
                            capture_output=True, text=True, check=True).stdout
    assert "Package: dfk-emu" in fields and "Version: %s" % deb["version"] in fields
    depends = re.search(r"^Depends: (.*)$", fields, re.M).group(1)
    # ${shlibs:Depends} resolved from the programs' libraries, and python3 for the plugin
    for pkg in ("libc6", "libssl3", "zlib1g", "libaravis-0.8-0", "libusb-1.0-0", "libpng16-16", "libcunit1",
                "python3"):
        assert re.search(r"(^|, )%s( |,|$)" % re.escape(pkg), depends), (pkg, depends)


def test_package_holds_programs_manpages_scenarios_docs_plugin(scratch_root):
    r = scratch_root
    for p in PROGRAMS:
        exe = os.path.join(r, "usr/bin", p)
        assert os.path.isfile(exe) and os.access(exe, os.X_OK), p
    for src in glob.glob(os.path.join(ROOT, "man", "*.[17]")):
        name = os.path.basename(src)
        assert os.path.isfile(os.path.join(r, "usr/share/man/man" + name[-1], name + ".gz")), name
    for model in ("dfk38ux267", "dmk38ux267"):
        for f in ("identity.ini", "features.ini", "rules.ini", "framerate.tsv", "pixelformats.tsv"):
            assert os.path.isfile(os.path.join(r, "usr/share/dfk-emu/fixtures", model, f)), (model, f)
    assert os.path.isfile(os.path.join(r, "usr/share/dfk-emu/fixtures/dfk38ux267/v4l2.ini"))
    # dfk-uvc-map's default mapping file (its --help names it)
    assert os.path.isfile(os.path.join(r, "usr/share/dfk-emu/uvcmap/dfk38ux267.ini"))
    scenarios = sorted(os.path.basename(f) for f in glob.glob(os.path.join(ROOT, "drivertest/scenarios/*.scenario")))
    installed = sorted(os.listdir(os.path.join(r, "usr/share/dfk-emu/scenarios")))
    assert scenarios and installed == scenarios
    doc = os.path.join(r, "usr/share/doc/dfk-emu")
    assert os.path.isfile(os.path.join(doc, "copyright"))
    for src in ["README.md"] + [os.path.relpath(f, os.path.join(ROOT, "docs")) for f in glob.glob(ROOT + "/docs/*.md")]:
        base = os.path.basename(src)
        assert os.path.exists(os.path.join(doc, base)) or os.path.exists(os.path.join(doc, base + ".gz")), base
    if os.path.isdir(os.path.join(ROOT, "python", "dfkemu")):
        pkg = os.path.join(r, "usr/lib/python3/dist-packages/dfkemu")
        for src in glob.glob(os.path.join(ROOT, "python/dfkemu/*.py")):
            assert os.path.isfile(os.path.join(pkg, os.path.basename(src))), src
        eps = glob.glob(os.path.join(r, "usr/lib/python3/dist-packages/dfkemu-*.dist-info/entry_points.txt"))
        assert eps and "pytest11" in open(eps[0]).read()


def _run(root, prog, *args):
    # only the scratch root's programs, with the system's libraries
    return subprocess.run([os.path.join(root, "usr/bin", prog)] + list(args), capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, PATH="/usr/bin:/bin"))


def test_installed_programs_run(scratch_root, deb, build_dir):
    r = _run(scratch_root, "dfk-emu", "--version")
    assert r.returncode == 0 and r.stdout.startswith("dfk-emu ") and deb["version"] in r.stdout, (r.stdout, r.stderr)
    r = _run(scratch_root, "dfk-conform", "--list")
    assert r.returncode == 0, r.stderr
    suites = r.stdout.split()
    assert len(suites) >= 5, r.stdout
    # the same suites as the build under test (the tree's own dfk-conform)
    ref = subprocess.run([os.path.join(build_dir, "dfk-conform"), "--list"], capture_output=True, text=True)
    assert r.stdout == ref.stdout
    # the camera models are compiled in: both dump their identity
    for model in ("dfk38ux267", "dmk38ux267"):
        r = _run(scratch_root, "dfk-emu", "--model", model, "--dump-features")
        assert r.returncode == 0 and model.upper()[:3] in r.stdout.upper(), (model, r.stderr)
    r = _run(scratch_root, "dfk-uvc-map", "--help")
    assert "(default /usr/share/dfk-emu/uvcmap/dfk38ux267.ini)" in r.stdout, r.stdout
    r = _run(scratch_root, "dfk-uvc-map", "--list", "--map",
             os.path.join(scratch_root, "usr/share/dfk-emu/uvcmap/dfk38ux267.ini"))
    assert r.returncode == 0 and ", 45 controls" in r.stdout.splitlines()[0], (r.stdout, r.stderr)
    for p in PROGRAMS[1:]:
        r = _run(scratch_root, p, "--help")
        assert r.returncode == 0 and "usage" in (r.stdout + r.stderr).lower(), (p, r.stdout[:300], r.stderr[:300])


def test_installed_plugin_imports(scratch_root):
    if not os.path.isdir(os.path.join(ROOT, "python", "dfkemu")):
        pytest.skip("no python/dfkemu in this tree")
    site = os.path.join(scratch_root, "usr/lib/python3/dist-packages")
    r = subprocess.run(["/usr/bin/python3", "-c", "import dfkemu, sys; print(dfkemu.__file__)"],
                       capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=site), cwd="/")
    assert r.returncode == 0 and r.stdout.startswith(site), (r.stdout, r.stderr)


def test_installed_emulator_passes_installed_conformance(scratch_root, tmp_path):
    """The package's dfk-emu on a loopback port, checked by the package's dfk-conform with the
    package's fixtures over its own USB/IP client."""
    emu = subprocess.Popen([os.path.join(scratch_root, "usr/bin/dfk-emu"), "--listen", "127.0.0.1:0",
                            "--state-dir", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    try:
        line = ""
        while "listening on" not in line:
            line = emu.stdout.readline()
            assert line, "dfk-emu exited"
        port = re.search(r"listening on 127\.0\.0\.1:(\d+)", line).group(1)
        r = _run(scratch_root, "dfk-conform", "--fixtures",
                 os.path.join(scratch_root, "usr/share/dfk-emu/fixtures/dfk38ux267"),
                 "--device", "usbip://127.0.0.1:%s/1-1" % port, "--suite", "descriptors,gencp")
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
        assert re.search(r"tests\s+(\d+)\s+\1\s+\1\s+0", r.stdout), r.stdout[-2000:]
    finally:
        emu.terminate()
        emu.wait(timeout=10)
