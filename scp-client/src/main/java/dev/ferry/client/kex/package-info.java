/**
 * The client's key exchanges: which ones a connection offers ({@code -o KexAlgorithms}), and the
 * post-quantum hybrid whose key pair is made ahead, while the client is still starting.
 */
package dev.ferry.client.kex;
