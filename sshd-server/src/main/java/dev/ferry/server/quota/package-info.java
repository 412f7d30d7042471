/**
 * Per-user quotas of bytes and regular files: what each user's root holds, walked once when the
 * server starts (or by {@code ferryd user quota-scan}) and kept up to date by every change the
 * server itself makes there, so that no write walks the tree; a change that would pass the quota is
 * refused before it happens.
 */
package dev.ferry.server.quota;
