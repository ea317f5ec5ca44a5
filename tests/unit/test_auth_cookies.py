"""Max-Age is appended to exactly the named cookie's Set-Cookie header, once."""

from __future__ import annotations

from flask import Response

from webapp.auth.cookies import add_max_age


def test_add_max_age_touches_only_the_named_cookie():
    response = Response()
    response.set_cookie("other", "1")
    response.set_cookie("sess", "abc", httponly=True)
    response.set_cookie("sess_remember", "r")
    add_max_age(response, "sess", 3600)
    headers = response.headers.getlist("Set-Cookie")
    assert headers[0] == "other=1; Path=/"
    assert headers[1].startswith("sess=abc;") and headers[1].endswith("; Max-Age=3600")
    assert "Max-Age" not in headers[2]
    add_max_age(response, "sess", 3600)
    assert response.headers.getlist("Set-Cookie")[1].count("Max-Age") == 1


def test_deleted_cookie_keeps_max_age_zero():
    response = Response()
    response.delete_cookie("sess")
    add_max_age(response, "sess", 3600)
    (header,) = response.headers.getlist("Set-Cookie")
    assert "Max-Age=0" in header and "3600" not in header


def test_no_cookie_no_change():
    response = Response()
    add_max_age(response, "sess", 3600)
    assert response.headers.getlist("Set-Cookie") == []
