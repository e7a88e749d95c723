"""EMAIL_URL=filemail://<absolute path> writes the mails there, not under a copy of that path
re-created inside the checkout (django-environ drops the leading slash)."""

from pathlib import Path

from django.conf import settings

from ism.settings import email_config


def test_filemail_with_an_absolute_path_keeps_it_absolute(tmp_path: Path) -> None:
    config = email_config(f"filemail://{tmp_path / 'mail'}")
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert config["EMAIL_FILE_PATH"] == str(tmp_path / "mail")


def test_filemail_with_a_relative_path_is_under_the_project() -> None:
    config = email_config("filemail://.ism/mail")
    assert config["EMAIL_FILE_PATH"] == str(Path(settings.BASE_DIR) / ".ism" / "mail")


def test_other_urls_are_read_by_django_environ() -> None:
    config = email_config("smtp://user:secret@mail.example:587")
    assert config["EMAIL_HOST"] == "mail.example"
    assert config["EMAIL_PORT"] == 587
