package dev.ferry.server.auth;

/**
 * What an unauthenticated connection did that counts against its source address, from the most
 * to the least suspicious. What each costs is the {@link BanPolicy}'s; by default a wrong password
 * costs the most and a connection that never said hello (a port scan, a load balancer's health
 * check) nothing, so that clients that merely fail to connect never lock anyone out.
 */
public enum Offence {
    /** A wrong password or an unknown user, per attempt; or keys offered, none accepted, per connection. */
    WRONG_CREDENTIALS,
    /** The key exchange completed, then the connection ended without authenticating. */
    NO_LOGIN,
    /** The client said hello but the key exchange failed (no algorithm in common, a bad message). */
    FAILED_KEY_EXCHANGE,
    /** The connection closed before the client sent its SSH identification. */
    NO_GREETING
}
