"""Test settings: fast hashing, immediate huey, in-memory e-mail, a file SQLite test database."""

import os
import tempfile

# One directory per test process, so parallel runs never share a database file.
os.environ.setdefault("MUTUA_VAR_DIR", tempfile.mkdtemp(prefix="mutua-test-"))

from mutua.settings import *  # noqa: F403
from mutua.settings import DATABASES, HUEY, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HUEY = {**HUEY, "immediate": True, "huey_class": "huey.MemoryHuey", "name": "mutua-test"}
HUEY.pop("filename", None)
HUEY.pop("url", None)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ACCOUNT_RATE_LIMITS = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: threads in concurrency tests must wait, not fail.
    DATABASES["default"]["NAME"] = str(VAR_DIR / "unused.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
