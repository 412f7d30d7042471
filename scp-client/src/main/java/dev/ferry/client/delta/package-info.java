/**
 * The client's end of the {@code ferry-delta} subsystem: one channel on which files go up or come
 * down as chunk deltas, with the wire bytes counted for the summary.
 */
package dev.ferry.client.delta;
