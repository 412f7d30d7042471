/**
 * The journal of uploads in flight: every temporary file an upload makes (SFTP, SCP, delta) is
 * listed before it exists and struck off once it is renamed or deleted, so that the next start
 * of a ferryd that was killed half way removes what it left, without walking its users' trees.
 */
package dev.ferry.server.journal;
