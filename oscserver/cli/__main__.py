"""`python -m oscserver.cli serve`: the `drumsynth` command without its script."""

from oscserver.cli import main

main()
