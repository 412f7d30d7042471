/**
 * ferryd's embeddable API: {@link dev.ferry.server.FerryServer} and its builder. The packages below
 * hold the parts: {@code auth} (users and limits), {@code fs} (confinement), {@code sftp},
 * {@code scp}, {@code log}, {@code config} (the users file) and {@code cli} (the command line).
 */
package dev.ferry.server;
