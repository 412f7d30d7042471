/**
 * The SFTP subsystem: MINA's, with the user's umask applied to {@code mkdir}, reads of up to
 * 256 KiB, and one log line per completed transfer.
 */
package dev.ferry.server.sftp;
