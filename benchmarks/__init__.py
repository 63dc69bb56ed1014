"""Latency and fault benchmarks, run as `python -m benchmarks.<name>` (`make bench`,
`make fault`). They print figures and assert nothing; what they start comes from `harness`."""
