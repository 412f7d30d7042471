/**
 * What Ferry trusts: the algorithm policy both sides apply to MINA (strong algorithms only) and the
 * key files they read and write (OpenSSH formats).
 */
package dev.ferry.security;
