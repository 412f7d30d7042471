/**
 * The transport profile: channel window, packet size, socket buffers, TCP_NODELAY and DSCP marking,
 * applied in one place to MINA on both sides, so that a long, fat pipe is filled by the link and not
 * capped by windows set for the networks of a decade ago.
 */
package dev.ferry.transport;
