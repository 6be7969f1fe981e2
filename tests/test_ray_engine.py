"""The engine options: unknown engines, --address without ray, and a missing Ray extra are one line."""

from __future__ import annotations

import sys

import pytest

from newskit.engines.ray_engine import require_ray


def test_a_missing_ray_extra_is_one_line(monkeypatch, run_cli, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    code, out, err = run_cli("split", "--corpus", str(tmp_path), "--engine", "ray")
    assert (code, out) == (1, "")
    assert err == (
        "error: --engine ray needs Ray Data, which is not installed (ray) "
        '(hint: install the Ray extra: pip install "newskit[ray]")\n'
    )
    with pytest.raises(Exception, match="not installed"):
        require_ray()


@pytest.mark.parametrize("command", [["split"], ["ingest"]])
def test_engine_options_are_checked(run_cli, tmp_path, command):
    code, _, err = run_cli(*command, "--corpus", str(tmp_path), "--engine", "dask")
    assert (code, err) == (1, "error: unknown --engine 'dask' (hint: use one of: local, ray)\n")
    code, _, err = run_cli(*command, "--corpus", str(tmp_path), "--address", "auto")
    assert (code, err) == (
        1,
        "error: --address needs --engine ray (hint: add --engine ray, or drop --address)\n",
    )
