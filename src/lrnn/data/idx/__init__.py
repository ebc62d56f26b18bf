"""MNIST-style datasets: the IDX file format, the known datasets and their checksums, finding
the files (or downloading them into the cache), and reading them early on a thread."""
