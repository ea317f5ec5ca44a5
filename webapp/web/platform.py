"""Pages: platform."""

from flask import Blueprint

bp = Blueprint("platform", __name__)
