"""``python -m cortico`` is the ``cortico`` command."""

from cortico.cli import main

if __name__ == "__main__":
    main()
