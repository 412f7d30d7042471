/**
 * What an operator sets for ferryd's users, checked end to end with real clients: quotas of bytes
 * and files over SFTP, SCP and the delta subsystem, and {@code ferryd user quota-scan}.
 */
package dev.ferry.it.ops;
