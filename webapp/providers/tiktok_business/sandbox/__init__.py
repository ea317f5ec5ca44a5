"""Local fake of the TikTok API for Business (see shared/spec/TIKTOK_API.md and INTERFACES.md)."""

from .app import create_sandbox_app
from .server import serve_in_thread

__all__ = ["create_sandbox_app", "serve_in_thread"]
