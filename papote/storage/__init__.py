"""Storage: the only package that talks SQL. SQLite (WAL) by default, PostgreSQL for scale."""
