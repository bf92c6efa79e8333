import json

import pytest
from django.test import Client

from api.models import ApiToken


class ApiClient:
    """A test client that speaks JSON, with an optional bearer token."""

    def __init__(self, token=None, client=None):
        self.token = token
        self.client = client or Client()

    def _headers(self, headers):
        merged = dict(headers or {})
        if self.token:
            merged.setdefault("Authorization", f"Bearer {self.token}")
        return merged

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def _send(self, method, path, body, raw, headers):
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return getattr(self.client, method)(
            path, data=data, content_type="application/json", headers=self._headers(headers)
        )

    def post(self, path, body=None, *, raw=None, headers=None):
        return self._send("post", path, body, raw, headers)

    def patch(self, path, body=None, *, raw=None, headers=None):
        return self._send("patch", path, body, raw, headers)

    def delete(self, path, *, headers=None):
        return self.client.delete(path, headers=self._headers(headers))


def client_for(user):
    """An ApiClient authenticated with a fresh token of ``user``."""
    _, token = ApiToken.objects.issue(user)
    return ApiClient(token)


@pytest.fixture
def anon():
    return ApiClient()


@pytest.fixture
def as_author(author):
    return client_for(author)


@pytest.fixture
def as_reader(reader):
    return client_for(reader)


@pytest.fixture
def as_other(other_reader):
    return client_for(other_reader)


@pytest.fixture
def as_moderator(moderator):
    return client_for(moderator)


@pytest.fixture
def as_admin(admin_user):
    return client_for(admin_user)
