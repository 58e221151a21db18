"""Issue 12 item 10: a GET on a POST-only address, and a viewer's forged decision."""

from __future__ import annotations

from chitieu.approval import Role
from web.data.models import Submission


def test_a_get_on_a_post_only_address_answers_a_vietnamese_page(client, figures, coordinator):
    client.force_login(coordinator)
    submission = Submission.objects.filter(state="submitted").first() or Submission.objects.first()
    for url in (
        f"/entry/{submission.org_unit_id}/{submission.period_key}/decide/",
        f"/plans/v/{figures.versions.get().pk}/discard/",
    ):
        response = client.get(url)
        assert response.status_code == 405 and response["Allow"] == "POST"
        page = response.content.decode()
        assert '<html lang="vi"' in page and "không mở trực tiếp" in page, url


def test_a_viewers_forged_decision_is_refused_as_not_allowed(client, figures, make_user, district):
    viewer = make_user("lanh-dao", Role.VIEWER, district)
    client.force_login(viewer)
    submission = Submission.objects.filter(state="approved").first()
    url = f"/entry/{submission.org_unit_id}/{submission.period_key}/decide/"
    for data in (
        {"action": "unlock", "reason": "x"},
        {"action": "unlock", "reason": "x", "revision": "999"},
        {"action": "approve", "revision": "abc"},
    ):
        response = client.post(url, data, follow=True)
        page = response.content.decode()
        assert response.status_code == 403, page[:300]
        assert "Không có quyền" in page and "Có người đã thay đổi" not in page
    submission.refresh_from_db()
    assert submission.state == "approved"
