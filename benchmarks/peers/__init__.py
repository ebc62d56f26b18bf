"""The programs lrnn is measured against, each run as its own process:
`python -m benchmarks.peers.NAME --data-dir DIR [...]`. They report what they measure as
`@bench {json}` lines on stdout (see common.report)."""
