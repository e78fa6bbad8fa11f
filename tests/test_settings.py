"""Configuration precedence: defaults < instance config.py < CORTICO_SETTINGS < CORTICO_* env."""

from cortico.settings import DEFAULTS, load_settings


def test_defaults_derive_from_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CORTICO_SETTINGS", raising=False)
    settings = load_settings(tmp_path)
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'cortico.sqlite3'}"
    assert settings["STORAGE_PATH"] == str(tmp_path / "storage")
    assert settings["RETENTION_SECONDS"] == DEFAULTS["RETENTION_SECONDS"]
    assert len(settings["SECRET_KEY"]) == 64
    assert load_settings(tmp_path)["SECRET_KEY"] == settings["SECRET_KEY"]  # stable across starts
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_precedence_of_every_source(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        "CORS_MAX_AGE = 1\nRETENTION_SECONDS = 1\nMAX_CONTENT_LENGTH = 1\nALLOW_ANONYMOUS = False\n"
    )
    settings_file = tmp_path / "site.py"
    settings_file.write_text("RETENTION_SECONDS = 2\nMAX_CONTENT_LENGTH = 2\nALLOW_ANONYMOUS = True\n")
    monkeypatch.setenv("CORTICO_SETTINGS", str(settings_file))
    monkeypatch.setenv("CORTICO_MAX_AGE_UNUSED", "x")
    monkeypatch.setenv("CORTICO_MAX_CONTENT_LENGTH", "3")
    monkeypatch.setenv("CORTICO_PROXY_FIX", '{"x_for": 1, "x_proto": 1}')
    monkeypatch.setenv("CORTICO_CORS_ORIGINS", r"https://.*\.example\.org")
    settings = load_settings(tmp_path)
    assert settings["CORS_MAX_AGE"] == 1  # instance config.py over defaults
    assert settings["RETENTION_SECONDS"] == 2  # CORTICO_SETTINGS over config.py
    assert settings["ALLOW_ANONYMOUS"] is True
    assert settings["MAX_CONTENT_LENGTH"] == 3  # environment over everything, parsed as JSON
    assert settings["PROXY_FIX"] == {"x_for": 1, "x_proto": 1}
    assert settings["CORS_ORIGINS"] == r"https://.*\.example\.org"
    assert load_settings(tmp_path, {"MAX_CONTENT_LENGTH": 4})["MAX_CONTENT_LENGTH"] == 4


def test_instance_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "inst"))
    settings = load_settings()
    assert settings["INSTANCE_PATH"] == str(tmp_path / "inst")
    assert (tmp_path / "inst" / "storage").is_dir()


def test_job_modules_from_comma_separated_env(tmp_path, monkeypatch):
    monkeypatch.setenv("CORTICO_JOB_MODULES", "a.b,c.d")
    assert load_settings(tmp_path)["JOB_MODULES"] == ["a.b", "c.d"]
