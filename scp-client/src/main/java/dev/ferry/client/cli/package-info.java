/** The {@code ferry} command line. Its commands ({@code cp}, {@code sync}, {@code demo}) arrive with their issues. */
package dev.ferry.client.cli;
