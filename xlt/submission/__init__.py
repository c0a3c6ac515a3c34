"""Scoring a folder of predictions in a benchmark's submission layout (XTREME, XTREME-R, XGLUE):
the benchmarks' task folders, languages and file formats, and the scorer `xlt score` runs."""
