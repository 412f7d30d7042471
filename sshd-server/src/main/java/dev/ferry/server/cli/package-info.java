/** The {@code ferryd} command line: serving, and managing the users file. */
package dev.ferry.server.cli;
