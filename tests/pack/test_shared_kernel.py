"""One kernel runs several sections: each notebook starts from an empty namespace with its counter at 1, and the
kernel is gone when the kernel context ends, however it ends."""

from __future__ import annotations

import os

import nbformat
import papermill as pm
import pytest

from scrutiny.pack.kernel import SharedKernel

pytestmark = pytest.mark.e2e


def _nb(*sources: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _run(kernel: SharedKernel, nb, out):
    kernel.fresh()
    return pm.execute_notebook(nb, str(out), kernel_name="python3", progress_bar=False, km=kernel.km)


def test_each_notebook_starts_empty_in_the_build_folder(tmp_path):
    (tmp_path / "_work").mkdir()
    with SharedKernel(tmp_path) as k:
        first = _run(k, _nb("secret = 41", "import os; os.chdir('/')", "secret + 1"), tmp_path / "a.ipynb")
        assert first.cells[2].outputs[0]["data"]["text/plain"] == "42"
        with pytest.raises(pm.PapermillExecutionError) as e:
            _run(k, _nb("import os; print(os.getcwd())", "secret"), tmp_path / "b.ipynb")
        assert e.value.ename == "NameError"
        second = [c for c in nbformat.read(tmp_path / "b.ipynb", as_version=4).cells if c.cell_type == "code"]
        assert second[0].outputs[0]["text"].strip() == str(tmp_path)  # back in the build folder
        third = _run(k, _nb("1 + 1"), tmp_path / "c.ipynb")
        assert third.cells[0].execution_count == 1
        assert third.cells[0].outputs[0]["execution_count"] == 1  # the kernel's own counter restarted too
        pid = k.km.provisioner.pid
    assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/status").read().find("zombie") >= 0


def test_the_kernel_stops_when_a_notebook_fails(tmp_path):
    (tmp_path / "_work").mkdir()
    with pytest.raises(pm.PapermillExecutionError):
        with SharedKernel(tmp_path) as k:
            pid = k.km.provisioner.pid
            _run(k, _nb("raise ValueError('no')"), tmp_path / "a.ipynb")
    assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/status").read().find("zombie") >= 0


def test_a_kernel_that_died_between_notebooks_is_reported_at_once(tmp_path):
    # after the first reset, resets wait only for the shell reply: a dead kernel must still be noticed quickly,
    # not after the minute the reset may take
    import signal
    import time

    (tmp_path / "_work").mkdir()
    with SharedKernel(tmp_path) as k:
        _run(k, _nb("1"), tmp_path / "a.ipynb")
        os.kill(k.km.provisioner.pid, signal.SIGKILL)
        t = time.monotonic()
        with pytest.raises(RuntimeError, match="died"):
            k.fresh(timeout=60)
        assert time.monotonic() - t < 10


def test_the_first_cell_output_of_every_notebook_is_kept(tmp_path):
    # the executor's client is ready without waiting for IOPub to fall silent: twelve notebooks in a row, each
    # printing in its first cell at once, must each keep that output
    (tmp_path / "_work").mkdir()
    with SharedKernel(tmp_path) as k:
        assert type(k.km.client()).__name__ == "ReadyClient"
        for i in range(12):
            out = _run(k, _nb(f"print('notebook {i}')", "2 * 21"), tmp_path / f"n{i}.ipynb")
            # the kernel may send one print as two stream messages (its buffer flushed between the text and the
            # newline); Jupyter keeps them as two outputs, so the cell's stdout is their texts joined
            stdout = "".join(o["text"] for o in out.cells[0].outputs
                             if o["output_type"] == "stream" and o["name"] == "stdout")
            assert stdout == f"notebook {i}\n"
            assert out.cells[1].outputs[0]["data"]["text/plain"] == "42"
