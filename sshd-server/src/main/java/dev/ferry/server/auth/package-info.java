/**
 * Who may log in and how: user accounts, password hashes (Argon2id), the password and public-key
 * authenticators, and the defender that caps unauthenticated connections and bans abusive sources.
 */
package dev.ferry.server.auth;
