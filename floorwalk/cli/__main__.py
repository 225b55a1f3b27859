"""``python -m floorwalk.cli``: what the ``floorwalk`` script runs."""

from . import main

main()
