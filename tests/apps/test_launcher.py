"""The launcher's options: --share is refused without a login; logins are parsed and enforced."""

from __future__ import annotations

from pathlib import Path

import pytest

from apps.launcher import main, parse_credentials


def test_share_without_credentials_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--share", "--lang", "ja", "--no-samples"]) == 2
    err = capsys.readouterr().err
    assert "--share" in err and "--auth" in err and "ログイン" in err
    assert main(["--share", "--lang", "en", "--no-samples"]) == 2
    assert "public link" in capsys.readouterr().err


def test_listening_beyond_this_machine_needs_logins(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--host", "0.0.0.0", "--lang", "ja", "--no-samples"]) == 2
    err = capsys.readouterr().err
    assert "0.0.0.0" in err and "--auth" in err and "ログイン" in err


def test_malformed_login_is_refused_without_echoing_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--auth", "onlyuser", "--no-samples", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "USER:PASS" in err and "onlyuser" not in err
    users = tmp_path / "users.txt"
    users.write_text("# staff\nsato:ok\nS3cret-password-on-its-own\n", encoding="utf-8")
    assert main(["--auth-file", str(users), "--no-samples", "--lang", "ja"]) == 2
    err = capsys.readouterr().err
    assert "3 行目" in err and "S3cret" not in err  # where the bad line is, never what it says


def test_credentials_from_arguments_and_file(tmp_path: Path) -> None:
    users = tmp_path / "users.txt"
    users.write_text("# staff\nsato:pa:ss\n\nsuzuki:himitsu\n", encoding="utf-8")
    assert parse_credentials(["admin:x"], str(users), "ja") == [
        ("admin", "x"),
        ("sato", "pa:ss"),
        ("suzuki", "himitsu"),
    ]
    with pytest.raises(ValueError, match="読めません"):
        parse_credentials([], str(tmp_path / "missing.txt"), "ja")


def test_login_is_enforced(launch) -> None:
    from gradio_client import Client

    url = launch(auth=[("staff", "secret")])
    with pytest.raises(Exception, match="(?i)login|credentials|auth"):
        Client(url, verbose=False)
    client = Client(url, auth=("staff", "secret"), verbose=False)
    assert "/ask" in client.view_api(return_format="dict", print_info=False)["named_endpoints"]
