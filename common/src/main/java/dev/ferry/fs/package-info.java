/** Rules for names Ferry makes in a user's directories (temporary names beside a file being written). */
package dev.ferry.fs;
