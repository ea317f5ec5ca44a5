"""Pages: tokens."""

from flask import Blueprint

bp = Blueprint("tokens", __name__)
