"""Pages: members."""

from flask import Blueprint

bp = Blueprint("members", __name__)
