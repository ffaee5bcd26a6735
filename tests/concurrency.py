"""Races on a real database: the tests that need PostgreSQL, and targets run in threads."""

import threading

import pytest
from django.db import connection


def postgresql_only():
    """Skip the test on SQLite, whose writers never race."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race is a PostgreSQL matter.")


def run_threads(*targets):
    """Run each target in its own thread and connection; the exceptions they raised."""
    errors = []

    def wrapped(target):
        try:
            target()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrapped, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors
