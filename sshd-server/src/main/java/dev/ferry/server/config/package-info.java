/**
 * The users file: YAML, one entry per user (root, password hash, keys, read-only, umask), read at
 * start and rewritten by the {@code ferryd user} subcommands.
 */
package dev.ferry.server.config;
