"""Daily summaries, follow-up of observations and station history."""

from flask import Blueprint

bp = Blueprint("summary", __name__)
