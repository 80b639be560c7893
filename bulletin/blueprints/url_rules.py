"""What the URL rules of every blueprint share."""

# Ids are 32-bit integer columns on SQLite and PostgreSQL alike: a larger number in a URL names no row,
# so the rule refuses it (404) before a query could overflow.
MAX_ID = 2**31 - 1
