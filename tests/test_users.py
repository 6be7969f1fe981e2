"""``newskit studio add-user``: a person on the local Label Studio, the password only in a 0600 file."""

from __future__ import annotations

import stat

import pytest

from newskit.errors import NewskitError
from newskit.studio import users
from newskit.studio.users import add_user, password_path
from tests.fake_studio import FakeStudioClient


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
def test_the_template_annotators_were_added_with_a_private_password(studio_server, annotators):
    """The session template's people come from ``add_user`` (the real ``label-studio reset_password``,
    ~10 s each, so it runs once per template); the annotators fixture logged in with these files."""
    for person in annotators.values():
        secret = password_path(studio_server.data_dir, person.email)
        assert secret.read_text(encoding="utf-8").strip() == person.password and len(person.password) >= 20
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
        assert stat.S_IMODE(secret.parent.stat().st_mode) == 0o700


@pytest.mark.studio
def test_add_user_through_the_cli(studio_env, annotators, project_title, run_cli, monkeypatch):
    email = f"cleo{project_title.split()[0]}@example.org"
    data_dir = str(studio_env.data_dir)
    set_to = {}
    # The password step is what the template build runs for real; here only the CLI is checked.
    monkeypatch.setattr(users, "_set_password", lambda d, e, p, v: set_to.update({e: p}))
    code, out, err = run_cli("studio", "add-user", email, "--data-dir", data_dir)
    assert code == 0, err
    secret = password_path(studio_env.data_dir, email)
    assert set_to == {email: secret.read_text(encoding="utf-8").strip()}
    assert set_to[email] not in out + err and studio_env.api_key not in out + err
    user_id = {address: key for key, address in studio_env.client().list_users().items()}[email]
    assert out.splitlines() == [
        f"Added {email} (user id {user_id}) to Label Studio at {studio_env.url}",
        f"Their password is in {secret} (readable by you only): give it to them privately.",
        f"They log in at {studio_env.url}/user/login/ and can change it under Account & Settings.",
    ]

    code, out, err = run_cli("studio", "add-user", "anna@example.org", "--data-dir", data_dir)
    assert code == 1 and err.count("\n") == 1
    assert err.startswith(
        f"error: Label Studio at {studio_env.url} already has the user anna@example.org (id "
    )
    assert (
        password_path(studio_env.data_dir, "anna@example.org").read_text().strip()
        == annotators["anna"].password
    )


@pytest.mark.studio
def test_only_the_invite_link_signs_people_up(studio_server, project_title):
    """The steps for a server without `add-user`: the organization's invite link (its "Add Members")."""
    import httpx

    admin = {"Authorization": f"Token {studio_server.api_key}"}
    invite = httpx.get(f"{studio_server.url}/api/invite", headers=admin, timeout=60).json()["invite_url"]
    email = f"dora{project_title.split()[0]}@example.org"

    def sign_up(path: str) -> httpx.Response:
        with httpx.Client(base_url=studio_server.url, timeout=60) as browser:
            browser.get("/user/signup/")
            form = {
                "email": email,
                "password": "a-long-Passw0rd",
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            }
            return browser.post(path, data=form, headers={"Referer": f"{studio_server.url}/user/signup/"})

    assert sign_up("/user/signup/").status_code == 403  # `studio up` allows no sign-up without the link
    assert email not in studio_server.client().list_users().values()
    assert sign_up(invite).status_code == 302
    assert email in studio_server.client().list_users().values()
