"""What a sweep leaves on storage: the result rows' Parquet schema, writing and reading them
(`rows`), and atomic writes to local paths and URIs (`storage`)."""

from xlt.results.rows import SCHEMA, ResultRow, read_results, write_rows

__all__ = ["SCHEMA", "ResultRow", "read_results", "write_rows"]
