/**
 * Operating ferryd for many users: per-user limits (bandwidth, connections at once) exercised with
 * real clients (OpenSSH's sftp and scp, ferry) and measured from outside.
 */
package dev.ferry.it.ops;
