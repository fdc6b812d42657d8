"""`make lab`: JupyterLab on loopback with a token, notebooks/*.py opened as notebooks (jupytext)."""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO

needs_lab = pytest.mark.skipif(importlib.util.find_spec("jupyterlab") is None or shutil.which("make") is None,
                                reason="JupyterLab is not installed (make lab-setup installs requirements/lab.lock) "
                                       "or make is missing")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, json.loads(r.read().decode("utf-8"))


@needs_lab
def test_make_lab_serves_on_loopback_with_a_token(tmp_path):
    port, token, venv = _free_port(), secrets.token_hex(16), Path(sys.prefix)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    log = (tmp_path / "lab.log").open("w")
    root = " --allow-root" if os.geteuid() == 0 else ""  # Jupyter refuses root unless told (CI runs as root)
    # -o: use the JupyterLab already installed in this environment (never reinstall from the test)
    proc = subprocess.Popen(["make", "-s", "-o", f"{venv}/.lab-installed", "lab", f"VENV={venv}", f"LAB_PORT={port}",
                             f"LAB_TOKEN={token}", "LAB_FLAGS=--no-browser" + root], cwd=REPO, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, body = _get(f"{base}/api/status?token={token}")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert proc.poll() is None, (tmp_path / "lab.log").read_text()
                assert time.monotonic() < deadline, "JupyterLab did not answer in 120 s"
                time.sleep(1)
        assert status == 200 and "started" in body
        with pytest.raises(urllib.error.HTTPError) as no_token:
            _get(f"{base}/api/status")
        assert no_token.value.code == 403
        _, specs = _get(f"{base}/api/kernelspecs?token={token}")
        assert "python3" in specs["kernelspecs"]
        _, nb = _get(f"{base}/api/contents/notebooks/performance.py?type=notebook&content=1&token={token}")
        sources = [c["source"] for c in nb["content"]["cells"]]
        assert any("page.start(params_file)" in s for s in sources)
        assert f"127.0.0.1:{port}" in (tmp_path / "lab.log").read_text()
    finally:  # stop the server: the process group started above (make and the JupyterLab it runs)
        for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        for _ in range(20):  # JupyterLab itself (same group) has stopped too
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.5)
        else:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.mark.parametrize("name", [p.name for p in sorted((REPO / "notebooks").glob("*.py"))] + ["template"])
def test_saving_from_jupyterlab_leaves_the_py_as_committed(tmp_path, name):
    """Jupyter saves through jupytext's contents manager: a notebook opened, run (outputs) and saved is written
    back byte for byte (no outputs, no version stamp), and no .ipynb appears beside it."""
    if importlib.util.find_spec("jupyter_server") is None:
        pytest.skip("jupyter_server is not installed (make lab-setup installs requirements/lab.lock)")
    from jupytext import TextFileContentsManager

    from scrutiny.pack import scaffold

    (tmp_path / "notebooks").mkdir()
    shutil.copy(REPO / "jupytext.toml", tmp_path / "jupytext.toml")
    if name == "template":
        name = scaffold.new_notebook("from_template", tmp_path / "notebooks").name
    else:
        shutil.copy(REPO / "notebooks" / name, tmp_path / "notebooks" / name)
    path = tmp_path / "notebooks" / name
    before = path.read_bytes()
    cm = TextFileContentsManager(root_dir=str(tmp_path))
    model = cm.get(f"notebooks/{name}", type="notebook")
    code = [c for c in model["content"].cells if c.cell_type == "code"]
    code[-1].outputs = [{"output_type": "stream", "name": "stdout", "text": "a result\n"}]
    code[-1].execution_count = 7
    cm.save(model, f"notebooks/{name}")
    assert path.read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "notebooks").iterdir()) == [name]
