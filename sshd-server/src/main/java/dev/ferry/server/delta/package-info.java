/**
 * The {@code ferry-delta} subsystem: Ferry's own rsync-like transfer, served on an SSH channel to
 * authenticated users, with their paths confined to their root exactly as SFTP's are (it works on
 * the same confined file system).
 */
package dev.ferry.server.delta;
