from tests.api.conftest import owner_key, receiver  # noqa: F401 (the API key and the webhook receiver, as fixtures)
