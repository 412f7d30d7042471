/**
 * Rules for files Ferry reads and writes in a user's directories: temporary names beside a file
 * being written, how a source that changed while it was read is told apart, and how the space a
 * writer takes is told to a server's quota ({@link dev.ferry.fs.SpaceAccount}) before it is taken.
 */
package dev.ferry.fs;
