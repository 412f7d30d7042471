/**
 * Per-user bandwidth: one token bucket per user and direction, shared by all the user's connections
 * and channels, that SFTP, SCP and the delta subsystem pass their bytes through on their own threads
 * (never on MINA's I/O threads), with the rate read from the user's account at each use.
 */
package dev.ferry.server.rate;
