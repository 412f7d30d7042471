/**
 * Benchmarks, run by {@code scripts/bench*} (not by the test run): Ferry against OpenSSH side by side
 * in one run, across emulated round-trip times, written to {@code docs/benchmarks*.md}; one file at a
 * time in {@code scripts/bench}, trees of many files in {@code scripts/bench-trees}.
 */
package dev.ferry.bench;
