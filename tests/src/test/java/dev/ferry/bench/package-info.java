/**
 * Benchmarks, run by {@code scripts/bench*} (not by the test run): Ferry against OpenSSH side by side
 * in one run, across emulated round-trip times, written to {@code docs/benchmarks*.md}; one file at a
 * time in {@code scripts/bench}, trees of many files in {@code scripts/bench-trees}, ferryd under many
 * sessions and a flood in {@code scripts/bench-load}, whose short form {@code LoadTest} the test run
 * does run; uploads through HAProxy to one and to two ferryd nodes in {@code scripts/bench-scale}.
 */
package dev.ferry.bench;
