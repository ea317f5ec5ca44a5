"""Members page: list for everyone in the workspace; add, change role and remove for admins only."""

from __future__ import annotations

from sqlalchemy import select

from tests.integration.test_pages_auth import login
from webapp.extensions import db
from webapp.models import Membership


def roles(app, wid: int) -> dict[int, str]:
    with app.app_context():
        rows = db.session.execute(select(Membership).where(Membership.workspace_id == wid)).scalars()
        return {m.user_id: m.role for m in rows}


def test_member_sees_read_only_list(client, factory):
    tenant = factory.tenant()
    login(client, tenant.member.email)
    response = client.get(f"/w/{tenant.wid}/members")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for person in (tenant.owner, tenant.admin, tenant.member):
        assert person.email in html
    assert "Add a member" not in html and "/remove" not in html and 'name="role"' not in html


def test_admin_adds_member_with_role(client, app, factory):
    tenant, newcomer = factory.tenant(), factory.user(name="Nora New")
    login(client, tenant.admin.email)
    page = client.get(f"/w/{tenant.wid}/members").get_data(as_text=True)
    assert "Add a member" in page

    response = client.post(f"/w/{tenant.wid}/members", data={"email": newcomer.email.upper(), "role": "admin"})
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{newcomer.email} added as Admin." in html and "Nora New" in html
    assert roles(app, tenant.wid)[newcomer.id] == "admin"


def test_add_member_inline_errors(client, app, factory):
    tenant = factory.tenant()
    login(client, tenant.owner.email)
    url = f"/w/{tenant.wid}/members"

    response = client.post(url, data={"email": "ghost@example.com", "role": "member"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "No user with email ghost@example.com." in html and 'class="field-error"' in html
    assert 'value="ghost@example.com"' in html  # the form keeps what was typed

    response = client.post(url, data={"email": tenant.member.email, "role": "member"})
    assert response.status_code == 409
    assert "is already a member of this workspace." in response.get_data(as_text=True)

    response = client.post(url, data={"email": "not an email <b>x</b>", "role": "member"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter a valid email address." in html and "No user with email" not in html
    assert "<b>x</b>" not in html  # what was typed is escaped back into the field

    response = client.post(url, data={"email": "", "role": "member"})
    assert response.status_code == 422
    assert "Enter the email of an existing user." in response.get_data(as_text=True)

    response = client.post(url, data={"email": factory.user().email, "role": "owner"})
    assert response.status_code == 422
    assert "Choose Admin or Member." in response.get_data(as_text=True)
    assert len(roles(app, tenant.wid)) == 3


def test_admin_changes_role_and_removes_member(client, app, factory):
    tenant = factory.tenant()
    login(client, tenant.admin.email)
    base = f"/w/{tenant.wid}/members/{tenant.member.id}"

    response = client.post(f"{base}/role", data={"role": "admin"})
    assert response.status_code == 302
    assert roles(app, tenant.wid)[tenant.member.id] == "admin"

    response = client.post(f"{base}/role", data={"role": "superuser"})
    assert response.status_code == 422
    assert "Choose Admin or Member." in response.get_data(as_text=True)

    response = client.post(f"{base}/remove")
    assert response.status_code == 302
    assert "Member removed." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert tenant.member.id not in roles(app, tenant.wid)


def test_owner_row_is_fixed(client, app, factory):
    tenant = factory.tenant()
    login(client, tenant.admin.email)
    html = client.get(f"/w/{tenant.wid}/members").get_data(as_text=True)
    assert f"/members/{tenant.owner.id}/remove" not in html and f"/members/{tenant.owner.id}/role" not in html
    assert client.post(f"/w/{tenant.wid}/members/{tenant.owner.id}/role", data={"role": "member"}).status_code == 403
    assert client.post(f"/w/{tenant.wid}/members/{tenant.owner.id}/remove").status_code == 403
    assert roles(app, tenant.wid)[tenant.owner.id] == "owner"


def test_admin_leaving_goes_back_to_switcher(client, app, factory):
    tenant = factory.tenant()
    login(client, tenant.admin.email)
    response = client.post(f"/w/{tenant.wid}/members/{tenant.admin.id}/remove")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get(f"/w/{tenant.wid}/members").status_code == 403


def test_member_nonmember_and_other_tenant_access(client, app, factory):
    tenant, other = factory.tenant("Acme"), factory.tenant("Globex")
    newcomer = factory.user()
    wid = tenant.wid
    admin_posts = [
        (f"/w/{wid}/members", {"email": newcomer.email, "role": "member"}),
        (f"/w/{wid}/members/{tenant.admin.id}/role", {"role": "member"}),
        (f"/w/{wid}/members/{tenant.admin.id}/remove", {}),
    ]

    login(client, tenant.member.email)  # member: reads, but every admin POST is a 403 page
    assert client.get(f"/w/{wid}/members").status_code == 200
    for url, data in admin_posts:
        response = client.post(url, data=data)
        assert response.status_code == 403, url
        assert "Admin or owner role required." in response.get_data(as_text=True)
    client.post("/logout")

    login(client, other.owner.email)  # another workspace's owner: not a member here
    assert client.get(f"/w/{wid}/members").status_code == 403
    for url, data in admin_posts:
        assert client.post(url, data=data).status_code == 403, url
    client.post("/logout")

    # An admin here acting on a user who belongs only to another workspace: 404, as if absent.
    login(client, tenant.admin.email)
    assert client.post(f"/w/{wid}/members/{other.member.id}/role", data={"role": "admin"}).status_code == 404
    assert client.post(f"/w/{wid}/members/{other.member.id}/remove").status_code == 404
    assert roles(app, other.wid)[other.member.id] == "member"
    assert roles(app, wid) == {tenant.owner.id: "owner", tenant.admin.id: "admin", tenant.member.id: "member"}
