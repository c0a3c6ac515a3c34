"""The phase cache: entries checked by their checksums (`store`), claimed by one trial at a time
(`claim`, `leases`), listed and collected (`inventory`)."""
