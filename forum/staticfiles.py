"""The static files storage outside DEBUG: whitenoise's compressed manifest storage, with each
file's URL worked out once per process.

Every page names six static files, and each ``{% static %}`` walks the manifest (name cleaning,
a hash lookup, URL joining: ~40 us) for an answer that cannot change while the process runs:
the manifest is read once, at start. A settings change in a test makes Django build a new
storage, so a new, empty memo.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage

REMEMBERED_NAMES = 1024  # more than the site has static files; names past it are not kept


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        url = self._urls.get(name)
        if url is None:
            url = super().url(name)  # a name missing from the manifest raises, and is not kept
            if len(self._urls) < REMEMBERED_NAMES:
                self._urls[name] = url
        return url
