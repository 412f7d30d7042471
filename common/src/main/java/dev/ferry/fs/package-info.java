/**
 * Rules for files Ferry reads and writes in a user's directories: temporary names beside a file
 * being written, and how a source that changed while it was read is told apart.
 */
package dev.ferry.fs;
