"""``newskit studio add-user``: a person on the local Label Studio, the password only in a 0600 file."""

from __future__ import annotations

import stat

import pytest

from newskit.errors import NewskitError
from newskit.studio.users import add_user, password_path
from tests.fake_studio import FakeStudioClient
from tests.studio_fixtures import login


def test_not_an_email_address(tmp_path):
    with pytest.raises(NewskitError, match="'anna' is not an e-mail address"):
        add_user(email="anna", url="http://x", api_key="k", data_dir=tmp_path, client=FakeStudioClient())


def test_a_server_without_a_local_data_folder_points_to_the_readme(tmp_path):
    with pytest.raises(NewskitError) as info:
        add_user(email="a@example.org", url="http://x", api_key="k", data_dir=tmp_path / "none",
                 client=FakeStudioClient())  # fmt: skip
    assert info.value.message == f"no local Label Studio data folder at {tmp_path / 'none'}"
    assert "'Label with a team' in the README" in info.value.hint


@pytest.mark.studio
def test_add_user_through_the_cli_then_log_in(studio_env, project_title, run_cli):
    email = f"cleo{project_title.split()[0]}@example.org"
    data_dir = str(studio_env.data_dir)
    code, out, err = run_cli("studio", "add-user", email, "--data-dir", data_dir)
    assert code == 0, err
    secret = password_path(studio_env.data_dir, email)
    password = secret.read_text(encoding="utf-8").strip()
    assert len(password) >= 20 and password not in out + err and studio_env.api_key not in out + err
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert stat.S_IMODE(secret.parent.stat().st_mode) == 0o700
    assert out.splitlines()[0].startswith(f"Added {email} (user id ")
    assert f"Their password is in {secret} (readable by you only)" in out
    session = login(studio_env.url, email, password)
    try:
        assert session.get("/api/current-user/whoami").json()["email"] == email
    finally:
        session.close()

    code, out, err = run_cli("studio", "add-user", email, "--data-dir", data_dir)
    assert code == 1 and err.count("\n") == 1
    assert err.startswith(f"error: Label Studio at {studio_env.url} already has the user {email} (id ")
    assert secret.read_text(encoding="utf-8").strip() == password  # not replaced
