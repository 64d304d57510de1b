# SPDX-License-Identifier: MIT
"""Every source file says its licence (LICENSE: MIT) in an SPDX line near its top."""
import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = re.compile(r"\.(c|h|py|sh)$|(^|/)Makefile$|^\.ci/run$")


def test_every_source_file_has_an_spdx_line():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    missing = []
    for f in files:
        if not SOURCE.search(f):
            continue
        with open(os.path.join(ROOT, f), errors="replace") as fh:
            head = "".join(fh.readline() for _ in range(3))
        if "SPDX-License-Identifier: MIT" not in head:
            missing.append(f)
    assert files and missing == [], missing
    with open(os.path.join(ROOT, "LICENSE")) as fh:
        assert fh.readline().strip() == "MIT License"
