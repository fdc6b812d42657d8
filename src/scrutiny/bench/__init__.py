"""The benchmark: generated large inputs (a force the size of the Metropolitan Police, a national year) and the
timings of the pack and of a plain-pandas reading of the same files. `scrutiny bench`, `make bench`."""
