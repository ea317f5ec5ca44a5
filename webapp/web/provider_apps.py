"""Pages: provider_apps."""

from flask import Blueprint

bp = Blueprint("provider_apps", __name__)
