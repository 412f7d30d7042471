/**
 * Faults during uploads to ferryd, with real clients and ferryd as its own process: the client or
 * the server killed half way, the disk full. What each must leave: the old file, nothing partial
 * under the final name, and no temporary file once the server has noticed or restarted.
 */
package dev.ferry.it.faults;
