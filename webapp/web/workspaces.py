"""Pages: workspaces."""

from flask import Blueprint

bp = Blueprint("workspaces", __name__)
