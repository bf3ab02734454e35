"""``python -m api.cli``, as the tests run the command line on a fresh interpreter."""

from api.cli import main

main()
