"""The benchmark: `python -m bench` (or `make bench`) prints the table of README.md."""
