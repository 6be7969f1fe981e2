"""CLI for working with a team on the local Label Studio: ``newskit studio add-user``.

Passwords and API keys are never printed: the command says where the password file is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from newskit.cli.labels import UrlOption, studio_app
from newskit.studio.server import DEFAULT_DATA_DIR
from newskit.studio.settings import api_key_from_env, url_from_env


@studio_app.command("add-user")
def add_user_cli(
    email: Annotated[str, typer.Argument(help="The person's e-mail address (their login)")],
    data_dir: Annotated[Path, typer.Option(help="Label Studio's data folder")] = DEFAULT_DATA_DIR,
    url: UrlOption = None,
) -> None:
    """Add a person to the local Label Studio with a generated password (kept in a file only you can read)."""
    from newskit.studio.install import default_venv_dir
    from newskit.studio.users import add_user

    user = add_user(
        email=email,
        url=url_from_env(url),
        api_key=api_key_from_env(),
        data_dir=data_dir,
        venv_dir=default_venv_dir(),
    )
    typer.echo(f"Added {user.email} (user id {user.user_id}) to Label Studio at {user.url}")
    typer.echo(
        f"Their password is in {user.password_path} (readable by you only): give it to them privately."
    )
    typer.echo(f"They log in at {user.url}/user/login/ and can change it under Account & Settings.")
