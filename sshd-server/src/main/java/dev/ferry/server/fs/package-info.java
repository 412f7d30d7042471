/**
 * The file system each user sees: their root, with containment checked on the resolved path
 * (symlinks included), and the user's policy (read-only, umask, links) enforced in one place for
 * SFTP, SCP and every later subsystem.
 */
package dev.ferry.server.fs;
