/**
 * ferryd's metrics in Prometheus's text format, on a listener of their own: connections, logins,
 * bans, transfers and their bytes and durations, the receive budget, quota refusals and hook
 * failures. Counted from the server's events; labels come from small fixed sets (never a user or
 * an address), so the number of series stays bounded.
 */
package dev.ferry.server.metrics;
