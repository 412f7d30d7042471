/**
 * The few commands ferryd runs itself, without a shell, besides SCP: checksums of files in the
 * user's root ({@code md5sum}, {@code sha1sum}, {@code sha256sum}), which rclone and other clients
 * use to verify what they copied.
 */
package dev.ferry.server.exec;
