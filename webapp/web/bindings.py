"""Pages: bindings."""

from flask import Blueprint

bp = Blueprint("bindings", __name__)
