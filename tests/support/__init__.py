"""Helpers the tests and the benchmarks share (``bench`` imports them too): an SMTP server that
records what it receives, a free loopback port, a database of its own on the PostgreSQL server
the tests use, and django-tasks-db's worker run in this process. Each was once written twice."""
