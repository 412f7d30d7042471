/**
 * Copying files over SFTP: uploads and downloads of files and trees, many requests in flight
 * (MINA's asynchronous streams, sized from the server's limits), atomic landing, {@code -p}, remote
 * globs, and the listener that progress bars and JSON reports hang on.
 */
package dev.ferry.client.transfer;
