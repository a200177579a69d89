"""A body that is not JSON, or JSON of the wrong shape, is a problem document and changes nothing."""

import pytest

from apps.herd.models import Animal

pytestmark = pytest.mark.usefixtures("owner_scope")


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"a string"', '{"tag": 5, "farm_id": "x", "sex": "both"}'])
def test_a_malformed_body_is_refused_with_a_problem_document(api, client, farm, body):
    response = client.post("/api/v1/animals", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api.secret}")
    assert response.status_code in (400, 422), response.content
    assert response["Content-Type"] == "application/problem+json"
    assert not Animal.objects.exists()
