/**
 * Benchmarks, run by {@code scripts/bench} (not by the test run): Ferry against OpenSSH side by side
 * in one run, across emulated round-trip times, written to {@code docs/benchmarks.md}.
 */
package dev.ferry.bench;
