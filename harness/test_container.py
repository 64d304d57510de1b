# SPDX-License-Identifier: MIT
"""The container for CI farms (container/, docs/container.md), without a container engine:

    - the Containerfile's build steps are the project's own (ci/deps.sh --build-only, the
      Makefile's install) and its build command, run here into a scratch DESTDIR, yields every
      path the runtime stage copies;
    - the runtime stage installs the package of every library the installed programs link;
    - the entry point, run here with the build's dfk-emu, maps its environment to dfk-emu's
      arguments, listens on 0.0.0.0, and the real `usbip list` sees the cameras compose.yaml
      asks for; its I/O relay (socat) reaches the side channel;
    - compose.yaml and the Kubernetes manifest are consistent with the image and with each
      other (python3-yaml), and publish nothing beyond the private network.

Building and running the image itself with podman is a separate, slower step (docs/container.md
says how it was done on a machine without access to a registry).
"""
import os
import re
import shlex
import shutil
import socket
import subprocess
import time

import pytest

import yaml  # python3-yaml (ci/deps.sh)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CDIR = os.path.join(ROOT, "container")
ENTRY = os.path.join(CDIR, "entrypoint.sh")


def parse_containerfile():
    """[(stage_name, [(INSTRUCTION, argument)])], continuation lines joined, comments dropped."""
    with open(os.path.join(CDIR, "Containerfile")) as fh:
        text = fh.read()
    text = re.sub(r"\\\n", " ", text)
    args, stages = {}, []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instr, _, rest = line.partition(" ")
        instr = instr.upper()
        if instr == "ARG" and not stages:
            k, _, v = rest.partition("=")
            args[k] = v
            continue
        if instr == "FROM":
            m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", rest, re.I)
            stages.append((m.group(2), [("FROM", m.group(1))]))
            continue
        stages[-1][1].append((instr, rest))
    return args, stages


def test_containerfile_builds_with_the_projects_own_steps(tmp_path, build_dir):
    args, stages = parse_containerfile()
    assert args["BASE"].endswith("debian:12")
    assert [s[0] for s in stages] == ["build", None]
    build = stages[0][1]
    assert build[0] == ("FROM", "${BASE}") and stages[1][1][0] == ("FROM", "${BASE}")
    runs = [a for i, a in build if i == "RUN"]
    assert any("bash /src/ci/deps.sh --build-only" in r for r in runs), runs
    make = [r for r in runs if r.startswith("make ")]
    assert len(make) == 1
    # the build stage's make command, run here on the build under test (its BUILD, a scratch DESTDIR)
    argv = shlex.split(make[0].replace('"$(nproc)"', "2"))
    dest = str(tmp_path / "out")
    argv = [a if not a.startswith("BUILD=") else "BUILD=" + build_dir for a in argv]
    argv = [a if not a.startswith("DESTDIR=") else "DESTDIR=" + dest for a in argv]
    assert "install" in argv and "PREFIX=/usr" in argv
    r = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    # every COPY --from=build source exists in what the build stage leaves in /out
    runtime = stages[1][1]
    copies = [a.split() for i, a in runtime if i == "COPY"]
    for c in copies:
        if c[0] == "--from=build":
            src = c[1]
            assert src.startswith("/out/"), c
            assert os.path.isdir(os.path.join(dest, src[len("/out/"):])), c
        else:
            assert os.path.exists(os.path.join(ROOT, c[0])), c
    assert os.path.exists(os.path.join(dest, "usr/bin/dfk-emu"))
    entry = [a for i, a in runtime if i == "ENTRYPOINT"]
    assert entry == ['["/usr/bin/dfk-emu-container"]']
    assert ["container/entrypoint.sh", "/usr/bin/dfk-emu-container"] in copies
    user = [a for i, a in runtime if i == "USER"]
    assert user and re.fullmatch(r"\d+:\d+", user[0]), "USER must be numeric (Kubernetes runAsNonRoot)"
    test_containerfile_builds_with_the_projects_own_steps.dest = dest


def _runtime_packages():
    _, stages = parse_containerfile()
    runs = " ".join(a for i, a in stages[1][1] if i == "RUN")
    m = re.search(r"apt-get install -y -q --no-install-recommends (.*?)&&", runs)
    return set(m.group(1).split())


def _needed(path):
    out = subprocess.run(["objdump", "-p", path], capture_output=True, text=True, check=True).stdout
    return re.findall(r"NEEDED\s+(\S+)", out)


def test_runtime_stage_installs_every_library_the_programs_link(build_dir):
    if shutil.which("objdump") is None or shutil.which("ldconfig") is None and not os.path.exists("/sbin/ldconfig"):
        pytest.fail("objdump (binutils) and ldconfig are needed", pytrace=False)
    ldconfig = shutil.which("ldconfig") or "/sbin/ldconfig"
    cache = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, check=True).stdout
    where = {}
    for m in re.finditer(r"^\s+(\S+) \((libc6,x86-64[^)]*)\) => (\S+)$", cache, re.M):
        where.setdefault(m.group(1), m.group(3))
    pkgs = _runtime_packages()
    base = {"libc6"}            # in every Debian image
    progs = ["dfk-emu", "dfk-conform", "dfk-bench", "dfk-drivertest", "dfk-trace", "dfk-adapter-u3v",
             "dfk-adapter-aravis"]
    needed = {}                 # library -> the programs that link it
    for p in progs:
        for lib in _needed(os.path.join(build_dir, p)):
            # a sanitizer build (make asan) links its runtimes; the image builds without them
            if not re.match(r"lib(asan|ubsan|lsan|tsan)\.so", lib):
                needed.setdefault(lib, []).append(p)
    missing = []
    for lib, users in sorted(needed.items()):
        path = os.path.realpath(where[lib])
        alt = path[4:] if path.startswith("/usr/") else "/usr" + path     # merged /usr: either spelling
        owner = subprocess.run(["dpkg", "-S", path, alt], capture_output=True, text=True)
        pkg = owner.stdout.split(":")[0]
        assert pkg, (lib, path, owner.stderr)
        if pkg not in pkgs | base:
            missing.append((lib, pkg, users))
    assert missing == [], missing
    assert "socat" in pkgs       # the I/O relay of the entry point


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_entrypoint_maps_environment_to_arguments(tmp_path):
    fake = tmp_path / "fake-emu"
    fake.write_text("#!/bin/sh\nprintf '%s\\n' \"$@\"\n")
    fake.chmod(0o755)

    def run(env, *args):
        e = {k: v for k, v in os.environ.items() if not k.startswith("DFK_")}
        e.update(env, DFK_EMU=str(fake))
        r = subprocess.run(["bash", ENTRY] + list(args), env=e, cwd=str(tmp_path), capture_output=True,
                           text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        return r.stdout.splitlines()

    a = run({})
    assert a[:2] == ["--listen", "0.0.0.0:3240"] and a[a.index("--cameras") + 1] == "1"
    assert a[a.index("--model") + 1] == "dfk38ux267" and "--serial" not in a
    assert os.path.isdir(a[a.index("--state-dir") + 1])
    a = run({"DFK_PORT": "4000", "DFK_CAMERAS": "3", "DFK_MODEL": "dmk38ux267", "DFK_TIME_SCALE": "0",
             "DFK_SERIAL": "12345678", "DFK_SOURCE": "pattern", "DFK_SEED": "9",
             "DFK_STATE_DIR": str(tmp_path / "st")}, "-v", "--monitor", "off")
    assert a == ["--listen", "0.0.0.0:4000", "--cameras", "3", "--model", "dmk38ux267", "--time-scale", "0",
                 "--state-dir", str(tmp_path / "st"), "--serial", "12345678", "--source", "pattern",
                 "--seed", "9", "-v", "--monitor", "off"]
    # a StatefulSet's Pod: serial = base + ordinal * cameras (leading zeros are decimal)
    a = run({"DFK_SERIAL_BASE": "04712000", "DFK_INDEX": "3", "DFK_CAMERAS": "2"})
    assert a[a.index("--serial") + 1] == "04712006"


def _compose():
    with open(os.path.join(CDIR, "compose.yaml")) as fh:
        return yaml.safe_load(fh)


def test_compose_file_is_consistent():
    c = _compose()
    nets = c["networks"]
    cams = {k: v for k, v in c["services"].items() if k.startswith("camera-")}
    assert len(cams) >= 3
    documented = set(re.findall(r"^#\s+(DFK_[A-Z_]+)", open(ENTRY).read(), re.M))
    serials = []
    for name, s in cams.items():
        assert s["image"] == "localhost/dfk-emu:latest"
        assert "ports" not in s, "%s publishes a port on the host: USB/IP has no authentication" % name
        for n in s["networks"]:
            assert nets[n].get("internal") is True, n
        assert set(s["environment"]) <= documented, set(s["environment"]) - documented
        serials.append(s["environment"]["DFK_SERIAL"])
    assert len(set(serials)) == len(serials)
    conform = c["services"]["conform"]
    m = re.fullmatch(r"usbip://([\w-]+):3240/1-1", conform["command"][-1])
    assert m and m.group(1) in cams and conform["entrypoint"] == ["dfk-conform"]


def _usbip_busids(port):
    r = subprocess.run(["usbip", "--tcp-port", str(port), "list", "-r", "127.0.0.1"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return re.findall(r"^\s+(\d+-\d+): The Imaging Source Europe GmbH", r.stdout, re.M), r.stdout


@pytest.mark.parametrize("service", ["camera-0", "camera-2"])
def test_entrypoint_runs_the_compose_services_cameras(service, build_dir, tmp_path):
    """The service's environment, as compose.yaml gives it, with the build's dfk-emu on port 0
    (0.0.0.0) and the I/O relay on free ports: usbip lists its cameras, the relay answers."""
    if shutil.which("usbip") is None or shutil.which("socat") is None:
        pytest.fail("usbip and socat are needed (bash ci/deps.sh)", pytrace=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DFK_")}
    env.update({k: str(v) for k, v in _compose()["services"][service]["environment"].items()})
    io_port, io_local = _free_port(), _free_port()
    env.update(DFK_EMU=os.path.join(build_dir, "dfk-emu"), DFK_PORT="0", DFK_STATE_DIR=str(tmp_path / "state"),
               DFK_IO_PORT=str(io_port), DFK_IO_LOCAL_PORT=str(io_local))
    log = open(tmp_path / "log", "w+")
    proc = subprocess.Popen(["bash", ENTRY], env=env, cwd=str(tmp_path), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.time() + 20
        port = None
        while time.time() < deadline and port is None:
            log.seek(0)
            m = re.search(r"listening on 0\.0\.0\.0:(\d+)", log.read())
            port = int(m.group(1)) if m else None
            time.sleep(0.1)
        log.seek(0)
        out = log.read()
        assert port, out
        assert re.search(r"no authentication", out, re.I), "no warning about 0.0.0.0:\n" + out
        busids, listing = _usbip_busids(port)
        n = int(env["DFK_CAMERAS"])
        assert busids == ["1-%d" % i for i in range(1, n + 1)], listing
        # the side channel through the relay (socat on DFK_IO_PORT -> dfk-emu on loopback)
        deadline = time.time() + 10
        while True:
            try:
                s = socket.create_connection(("127.0.0.1", io_port), timeout=5)
                s.sendall(b"time\n")
                reply = s.recv(200)
                s.close()
                if reply:
                    break
            except OSError:
                pass
            assert time.time() < deadline, "no answer through the I/O relay"
            time.sleep(0.2)
        assert reply.startswith(b"ok "), reply
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=10)
        log.close()


def _k8s():
    with open(os.path.join(CDIR, "k8s", "dfk-camera-farm.yaml")) as fh:
        return {d["kind"]: d for d in yaml.safe_load_all(fh)}


def test_kubernetes_manifest_is_consistent():
    k = _k8s()
    svc, sts, pol, job = k["Service"], k["StatefulSet"], k["NetworkPolicy"], k["Job"]
    labels = sts["spec"]["template"]["metadata"]["labels"]
    assert sts["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert svc["spec"]["selector"].items() <= labels.items() and svc["spec"]["clusterIP"] == "None"
    assert sts["spec"]["serviceName"] == svc["metadata"]["name"]
    assert svc["spec"].get("type", "ClusterIP") == "ClusterIP"   # never a NodePort or LoadBalancer
    pod = sts["spec"]["template"]["spec"]
    c = pod["containers"][0]
    cports = {p["containerPort"] for p in c["ports"]}
    assert cports == {3240, 3241} and {p["targetPort"] for p in svc["spec"]["ports"]} == cports
    env = {e["name"]: e["value"] for e in c["env"]}
    documented = set(re.findall(r"^#\s+(DFK_[A-Z_]+)", open(ENTRY).read(), re.M))
    assert set(env) <= documented and int(env["DFK_PORT"]) == 3240 and int(env["DFK_IO_PORT"]) == 3241
    # the NetworkPolicy: the camera Pods, ingress only from labelled clients, only on those ports
    assert pol["spec"]["podSelector"]["matchLabels"].items() <= labels.items()
    assert "Ingress" in pol["spec"]["policyTypes"]
    [rule] = pol["spec"]["ingress"]
    [src] = rule["from"]
    client = src["podSelector"]["matchLabels"]
    assert set(src) == {"podSelector"} and client
    assert {p["port"] for p in rule["ports"]} == cports
    # the example test Job carries that label and names a camera Pod through the headless Service
    assert client.items() <= job["spec"]["template"]["metadata"]["labels"].items()
    url = job["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    assert url == "usbip://%s-0.%s:3240/1-1" % (sts["metadata"]["name"], svc["metadata"]["name"])
    # non-root with the image's numeric user
    _, stages = parse_containerfile()
    uid = [a for i, a in stages[1][1] if i == "USER"][0].split(":")
    assert pod["securityContext"]["runAsNonRoot"] is True and str(pod["securityContext"]["fsGroup"]) == uid[1]
    mounts = [m["mountPath"] for m in c["volumeMounts"]]
    assert mounts == ["/var/lib/dfk-emu/state"]


def test_docs_warn_that_usbip_has_no_authentication():
    with open(os.path.join(ROOT, "docs", "container.md")) as fh:
        text = fh.read()
    assert re.search(r"no authentication", text, re.I) and re.search(r"no encryption", text, re.I)
    assert "private network" in text
    for f in ("compose.yaml", "k8s/dfk-camera-farm.yaml", "Containerfile"):
        assert "no authentication" in open(os.path.join(CDIR, f)).read(), f
