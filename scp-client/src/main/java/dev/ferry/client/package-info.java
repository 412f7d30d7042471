/**
 * Ferry's client library: {@link dev.ferry.client.connect} opens sessions, {@link dev.ferry.client.transfer}
 * copies files over SFTP, {@link dev.ferry.client.cli} is the {@code ferry} command.
 */
package dev.ferry.client;
