/**
 * The running server's life after its start: the transfers in flight that a graceful stop waits
 * for, and what a reload may change while connections go on.
 */
package dev.ferry.server.lifecycle;
