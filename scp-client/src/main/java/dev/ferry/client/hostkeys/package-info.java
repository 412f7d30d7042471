/**
 * Host-key verification for Ferry's client, compatible with OpenSSH's {@code known_hosts} files and
 * its {@code StrictHostKeyChecking} modes, plus {@code known-key} for servers reached through relays.
 *
 * <p>{@link dev.ferry.client.hostkeys.KnownHosts} reads the files, {@link dev.ferry.client.hostkeys.HostKeyPolicy}
 * says what to trust, and {@link dev.ferry.client.hostkeys.FerryHostKeyVerifier} applies the policy
 * when MINA asks whether a server's key is acceptable. Every user-facing sentence is in
 * {@code Messages}, so their wording can be reviewed in one place.
 */
package dev.ferry.client.hostkeys;
